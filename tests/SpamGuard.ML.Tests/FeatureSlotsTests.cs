using SpamGuard.ML.Scoring;

namespace SpamGuard.ML.Tests;

public sealed class FeatureSlotsTests
{
    [Theory]
    [InlineData("please subscribe now", "scri", "subscribe")]
    [InlineData("Check out my channel!", "eck ", "check out")]
    [InlineData("Read the thoughtful post", "e th", "the thoughtful")]
    [InlineData("SUBSCRIBE!!!", "subs", "subscribe")]
    public void WordsAround_PieceInsideText_ReturnsTheWholeWords(string text, string piece, string expected)
    {
        Assert.Equal(expected, FeatureSlots.WordsAround(text, piece));
    }

    [Fact]
    public void WordsAround_PieceNotInText_QuotesThePiece()
    {
        Assert.Equal("\"xyz\"", FeatureSlots.WordsAround("hello world", "xyz"));
    }

    [Fact]
    public void WordsAround_VeryLongWord_IsCut()
    {
        var evidence = FeatureSlots.WordsAround(new string('a', 100) + "spam" + new string('b', 100), "spam");

        Assert.True(evidence.Length <= 41, evidence);
        Assert.EndsWith("…", evidence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1.0986123f, "2 links")]
    [InlineData(2, 0.25f, "25 % capitals")]
    [InlineData(5, 1f, "present")]
    [InlineData(5, 0f, "absent")]
    public void StatisticEvidence_ReadsTheRawValue(int index, float raw, string expected)
    {
        Assert.Equal(expected, FeatureSlots.StatisticEvidence(index, raw));
    }
}
