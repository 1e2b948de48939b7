using SpamGuard.Core.Explanations;
using SpamGuard.ML.Scoring;

namespace SpamGuard.ML.Tests;

public sealed class FeatureSlotsTests
{
    private static CharGramAttribution Attribution(params string[] grams) =>
        new([.. grams.Select(g => new FeatureSlot(FeatureSlots.CharsName, SignalKind.Text, g, CharGram: g))]);

    [Theory]
    [InlineData("f|r|e|e", "free")]
    [InlineData("<␂>|f|r|e", "\u0002fre")]
    [InlineData("e|<␠>|<␃>|x", "e \u0003x")]
    [InlineData("a|||b|c", "a|bc")]
    [InlineData("\\u4X|\\u4X|o|k", "\uFFFF\uFFFFok")]
    public void CharGram_ReadsMlNetSlotNames(string name, string gram) =>
        Assert.Equal(gram, FeatureSlots.CharGram(name));

    [Fact]
    public void Attribute_GramInTwoWords_SplitsItsContributionEvenly()
    {
        var attribution = Attribution("free", CharGramAttribution.Start + "fre");

        var (perWord, remainder) = attribution.Attribute("freedom is free", new List<(int, double)> { (0, 1.0), (1, 0.5) });

        Assert.Equal(1.0, perWord["freedom"], 9);
        Assert.Equal(0.5, perWord["free"], 9);
        Assert.Equal(0, remainder);
    }

    [Theory]
    [InlineData("please subscribe now", "scri", "subscribe")]
    [InlineData("SUBSCRIBE!!!", "subs", "subscribe")]
    [InlineData("read the free post", "e fr", "free")]
    [InlineData("Ünïcode wörds", "unic", "ünïcode")]
    public void Attribute_GramInsideText_GoesToTheWordMostOfItComesFrom(string text, string gram, string word)
    {
        var (perWord, remainder) = Attribution(gram).Attribute(text, new List<(int, double)> { (0, 2.0) });

        Assert.Equal(2.0, Assert.Contains(word, perWord), 9);
        Assert.Equal(0, remainder);
    }

    [Fact]
    public void Attribute_GramNotInText_IsTheRemainderSoThePartsStillAddUp()
    {
        var (perWord, remainder) = Attribution("xyzw", "hell").Attribute("hello world", new List<(int, double)> { (0, 0.7), (1, 0.2) });

        Assert.Equal(0.7, remainder, 9);
        Assert.Equal(0.2, perWord["hello"], 9);
    }

    [Fact]
    public void Attribute_VeryLongWord_IsCutInTheEvidence()
    {
        var (perWord, _) = Attribution("spam").Attribute(new string('a', 100) + "spam" + new string('b', 100), new List<(int, double)> { (0, 1.0) });

        var evidence = Assert.Single(perWord).Key;
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
