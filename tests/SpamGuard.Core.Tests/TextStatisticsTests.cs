using SpamGuard.Core.Features;

namespace SpamGuard.Core.Tests;

public sealed class TextStatisticsTests
{
    private static double Stat(string text, string name, int linkCount = 0) =>
        TextStatistics.Compute(text, linkCount)[TextStatistics.Names.ToList().IndexOf(name)];

    [Fact]
    public void Names_MatchComputedVectorAndAllHaveDescriptions()
    {
        var values = TextStatistics.Compute("Hello!", 1);

        Assert.Equal(TextStatistics.Names.Count, values.Length);
        Assert.All(TextStatistics.Names, name => Assert.True(TextStatistics.Descriptions.ContainsKey(name), name));
    }

    [Fact]
    public void Compute_EmptyTextNoLinks_AllZero()
    {
        Assert.All(TextStatistics.Compute("", 0), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Compute_EmptyTextWithLinks_OnlyLinkCountIsSet()
    {
        var values = TextStatistics.Compute("", 3);

        Assert.Equal(Math.Log(4), values[0], 5);
        Assert.All(values.Skip(1), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(1, 0.6931472)] // ln 2
    [InlineData(9, 2.3025851)] // ln 10
    [InlineData(10_000, 9.2104404)] // ln 10001: a flood of links stays bounded
    public void Compute_LinkCount_IsLogOfOnePlusCount(int links, double expected)
    {
        Assert.Equal(expected, Stat("text", "link_count", links), 5);
    }

    [Fact]
    public void Compute_Length_IsLogOfOnePlusLength()
    {
        Assert.Equal(Math.Log(5), Stat("ab d", "length"), 5);
    }

    [Theory]
    [InlineData("ABcd", 0.5)]
    [InlineData("BUY NOW", 1.0)]
    [InlineData("buy now", 0.0)]
    [InlineData("12345 !!!", 0.0)] // no letters at all
    [InlineData("ÄÖ12 üa", 0.5)] // non-ASCII letters count; digits do not
    public void Compute_UppercaseRatio_IsUpperOverLetters(string text, double expected)
    {
        Assert.Equal(expected, Stat(text, "uppercase_ratio"), 5);
    }

    [Theory]
    [InlineData("ab 12", 0.5)] // whitespace is not counted as visible
    [InlineData("1234", 1.0)]
    [InlineData("a1b2c3d4", 0.5)]
    [InlineData("   ", 0.0)]
    public void Compute_DigitRatio_IsDigitsOverVisibleCharacters(string text, double expected)
    {
        Assert.Equal(expected, Stat(text, "digit_ratio"), 5);
    }

    [Fact]
    public void Compute_Exclamations_AreLogScaled()
    {
        Assert.Equal(Math.Log(4), Stat("Wow! Great! Buy!", "exclamation_count"), 5);
    }

    [Theory]
    [InlineData("call 12345 now", 1f)]
    [InlineData("code:987654321", 1f)]
    [InlineData("call 1234 now", 0f)]
    [InlineData("call 1234 5678 now", 0f)] // whitespace breaks a run
    [InlineData("call 12-34-5678 now", 0f)] // so does punctuation
    [InlineData("call 12-34-56789", 1f)]
    public void Compute_LongDigitRun_FiresAtFiveDigitsInARow(string text, float expected)
    {
        Assert.Equal(expected, Stat(text, "long_digit_run"));
    }

    [Theory]
    [InlineData("only $5", 1f)]
    [InlineData("only £5", 1f)]
    [InlineData("only €5", 1f)]
    [InlineData("only ¥5", 1f)]
    [InlineData("only 5 USD", 0f)]
    public void Compute_CurrencySymbol_IsFlagged(string text, float expected)
    {
        Assert.Equal(expected, Stat(text, "currency_symbol"));
    }

    [Theory]
    [InlineData("FREE entry WIN now", 2)]
    [InlineData("I A ok", 0)]
    [InlineData("URGENT! Call NOW", 2)]
    [InlineData("no capitals here", 0)]
    public void Compute_CapitalisedWords_CountsWordsOfTwoOrMoreCapitals(string text, int expected)
    {
        Assert.Equal(Math.Log(1 + expected), Stat(text, "capitalised_words"), 5);
    }

    [Theory]
    [InlineData("call 08452810075 now for 150p", 2)]
    [InlineData("T&C's apply 18+ only", 1)]
    [InlineData("no numbers", 0)]
    public void Compute_NumberTokens_CountsTokensWithADigit(string text, int expected)
    {
        Assert.Equal(Math.Log(1 + expected), Stat(text, "number_tokens"), 5);
    }
}
