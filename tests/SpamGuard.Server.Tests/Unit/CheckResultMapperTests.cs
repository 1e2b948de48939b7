using SpamGuard.Core.Explanations;
using SpamGuard.Core.Scoring;
using SpamGuard.Server.Scoring;
using Wire = SpamGuard.Contracts.V1;

namespace SpamGuard.Server.Tests.Unit;

/// <summary>Enum mappings and retention wording, including values the scoring path does not produce yet.</summary>
public sealed class CheckResultMapperTests
{
    [Theory]
    [InlineData(0, "not stored")]
    [InlineData(1, "1 second")]
    [InlineData(90, "90 seconds")]
    [InlineData(120, "2 minutes")]
    [InlineData(3600, "1 hour")]
    [InlineData(86_400, "1 day")]
    [InlineData(7 * 86_400, "7 days")]
    [InlineData(30 * 86_400, "30 days")]
    [InlineData(86_400 + 3600, "25 hours")]
    public void DescribeRetention_Seconds_ReadsNaturally(int seconds, string expected) =>
        Assert.Equal(expected, RetentionText.Describe(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void ToResponse_StoredFieldsAndAllKinds_MapOneToOne()
    {
        // Arrange: handlings and kinds the current scoring path never emits, so the mapping is still exercised.
        var signals = Enum.GetValues<SignalKind>().Select((k, i) => new Signal("s" + i, k, i, "e" + i)).ToList();
        var processing = new List<FieldProcessing>
        {
            new("a", "p", DataHandling.UsedInMemoryDiscarded, TimeSpan.Zero),
            new("b", "p", DataHandling.StoredPseudonymised, TimeSpan.FromDays(30)),
            new("c", "p", DataHandling.Stored, TimeSpan.FromDays(7)),
            new("d", "p", DataHandling.IgnoredDiscarded, TimeSpan.Zero),
        };
        var result = new CheckResult("0123456789abcdef0123456789abcdef", Verdict.Discard, 0.995, new Thresholds(0.6, 0.98), "v-1",
            new Explanation("Blatant spam.", signals, processing, -1.25));

        // Act
        var response = result.ToResponse();

        // Assert
        Assert.Equal(Wire.Verdict.Discard, response.Verdict);
        Assert.Equal(0.995, response.SpamProbability);
        Assert.Equal(0.6, response.Thresholds.Spam);
        Assert.Equal(0.98, response.Thresholds.Discard);
        Assert.Equal("0123456789abcdef0123456789abcdef", response.CheckId);
        Assert.Equal("v-1", response.ModelVersion);
        Assert.Equal(-1.25, response.Explanation.BaseWeight);
        Assert.Equal(
            [Wire.SignalKind.Text, Wire.SignalKind.Link, Wire.SignalKind.Author, Wire.SignalKind.Behaviour, Wire.SignalKind.Rule, Wire.SignalKind.Reputation],
            response.Explanation.Signals.Select(s => s.Kind));
        Assert.Equal(
            [Wire.DataHandling.UsedInMemoryDiscarded, Wire.DataHandling.StoredPseudonymised, Wire.DataHandling.Stored, Wire.DataHandling.IgnoredDiscarded],
            response.Explanation.Processing.Select(p => p.Handling));
        Assert.Equal([0L, 2_592_000L, 604_800L, 0L], response.Explanation.Processing.Select(p => p.RetentionSeconds));
        Assert.Equal(["not stored", "30 days", "7 days", "not stored"], response.Explanation.Processing.Select(p => p.Retention));
    }
}
