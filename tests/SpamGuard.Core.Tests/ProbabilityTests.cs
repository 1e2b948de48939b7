using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Tests;

public sealed class ProbabilityTests
{
    [Fact]
    public void FromLogit_Zero_IsOneHalf()
    {
        Assert.Equal(0.5, Probability.FromLogit(0));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(1.0)]
    [InlineData(4.2)]
    [InlineData(30.0)]
    public void FromLogit_OppositeLogits_SumToOne(double logit)
    {
        Assert.Equal(1.0, Probability.FromLogit(logit) + Probability.FromLogit(-logit), 12);
        Assert.True(Probability.FromLogit(logit) > 0.5);
    }

    [Theory]
    [InlineData(1000.0, 1.0)]
    [InlineData(-1000.0, 0.0)]
    [InlineData(double.MaxValue, 1.0)]
    [InlineData(double.MinValue, 0.0)]
    public void FromLogit_ExtremeLogit_IsFiniteAndSaturates(double logit, double expected)
    {
        var p = Probability.FromLogit(logit);

        Assert.True(double.IsFinite(p));
        Assert.Equal(expected, p, 12);
    }

    [Fact]
    public void FromLogit_KnownValue()
    {
        Assert.Equal(1 / (1 + Math.Exp(-2)), Probability.FromLogit(2), 15);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    public void ToLogit_ZeroOneOrOutOfRange_IsFinite(double probability)
    {
        Assert.True(double.IsFinite(Probability.ToLogit(probability)));
    }

    [Fact]
    public void ToLogit_ZeroAndOne_AreSymmetric()
    {
        // 1 - 1e-12 is not exact in binary, so the two clamps differ in the fifth decimal.
        Assert.Equal(-Probability.ToLogit(1.0), Probability.ToLogit(0.0), 3);
        Assert.True(Probability.ToLogit(1.0) > 20);
    }

    [Theory]
    [InlineData(-20.0)]
    [InlineData(-3.3)]
    [InlineData(0.0)]
    [InlineData(0.75)]
    [InlineData(12.0)]
    public void ToLogit_OfFromLogit_RoundTrips(double logit)
    {
        Assert.Equal(logit, Probability.ToLogit(Probability.FromLogit(logit)), 6);
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.5)]
    [InlineData(0.97)]
    public void FromLogit_OfToLogit_RoundTrips(double probability)
    {
        Assert.Equal(probability, Probability.FromLogit(Probability.ToLogit(probability)), 12);
    }
}
