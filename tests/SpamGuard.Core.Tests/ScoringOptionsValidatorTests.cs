using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Tests;

public sealed class ScoringOptionsValidatorTests
{
    private static readonly ScoringOptionsValidator Validator = new();

    private static ScoringOptions With(string key, double value)
    {
        var options = new ScoringOptions();
        switch (key)
        {
            case "MaxContentBytes": options.MaxContentBytes = (int)value; break;
            case "MaxFieldBytes": options.MaxFieldBytes = (int)value; break;
            case "MaxSignals": options.MaxSignals = (int)value; break;
            case "SpamThreshold": options.SpamThreshold = value; break;
            case "DiscardThreshold": options.DiscardThreshold = value; break;
            case "Rules:MinHumanSubmitMilliseconds": options.Rules.MinHumanSubmitMilliseconds = (int)value; break;
            case "Rules:AdministratorRole": options.Rules.AdministratorRole = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(key), key, null);
        }

        return options;
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(Validator.Validate(null, new ScoringOptions()).Succeeded);
    }

    [Theory]
    [InlineData("MaxContentBytes", 0)]
    [InlineData("MaxContentBytes", -1)]
    [InlineData("MaxContentBytes", 16 * 1024 * 1024 + 1)]
    [InlineData("MaxFieldBytes", 63)]
    [InlineData("MaxFieldBytes", 1024 * 1024 + 1)]
    [InlineData("MaxSignals", 0)]
    [InlineData("MaxSignals", 101)]
    [InlineData("SpamThreshold", 0.0)]
    [InlineData("SpamThreshold", 1.0)]
    [InlineData("SpamThreshold", -0.1)]
    [InlineData("DiscardThreshold", 0.0)]
    [InlineData("DiscardThreshold", 1.0001)]
    [InlineData("Rules:MinHumanSubmitMilliseconds", -1)]
    [InlineData("Rules:AdministratorRole", 0)]
    [InlineData("Rules:AdministratorRole", 5)]
    public void Validate_InvalidSetting_FailsNamingTheKey(string key, double value)
    {
        var result = Validator.Validate(null, With(key, value));

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith($"Scoring:{key} ", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SpamThreshold", double.NaN)]
    [InlineData("DiscardThreshold", double.NaN)]
    public void Validate_NaNThreshold_FailsNamingTheKey(string key, double value)
    {
        var result = Validator.Validate(null, With(key, value));

        Assert.True(result.Failed);
        Assert.StartsWith($"Scoring:{key} ", result.Failures!.First(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MaxContentBytes", 1)]
    [InlineData("MaxContentBytes", 16 * 1024 * 1024)]
    [InlineData("MaxFieldBytes", 64)]
    [InlineData("MaxFieldBytes", 1024 * 1024)]
    [InlineData("MaxSignals", 1)]
    [InlineData("MaxSignals", 100)]
    [InlineData("SpamThreshold", 0.01)]
    [InlineData("SpamThreshold", 0.99)]
    [InlineData("DiscardThreshold", 1.0)]
    [InlineData("DiscardThreshold", 0.01)]
    [InlineData("Rules:MinHumanSubmitMilliseconds", 0)]
    public void Validate_BoundaryValue_Succeeds(string key, double value)
    {
        Assert.True(Validator.Validate(null, With(key, value)).Succeeded);
    }

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(0.8, 0.6)]
    public void Validate_DiscardNotAboveSpam_Fails(double spam, double discard)
    {
        var options = new ScoringOptions { SpamThreshold = spam, DiscardThreshold = discard };

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal("Scoring:DiscardThreshold must be above Scoring:SpamThreshold.", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_DiscardAboveSpam_Succeeds()
    {
        Assert.True(Validator.Validate(null, new ScoringOptions { SpamThreshold = 0.5, DiscardThreshold = 0.9 }).Succeeded);
    }

    [Fact]
    public void Validate_SeveralInvalidSettings_ReportsEach()
    {
        var options = new ScoringOptions { MaxSignals = 0, MaxFieldBytes = 1, Rules = { MinHumanSubmitMilliseconds = -5 } };

        var result = Validator.Validate(null, options);

        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains("Scoring:MaxSignals", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Scoring:MaxFieldBytes", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Scoring:Rules:MinHumanSubmitMilliseconds", result.FailureMessage, StringComparison.Ordinal);
    }
}
