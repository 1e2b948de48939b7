using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Tests;

public sealed class ReputationOptionsValidatorTests
{
    private static readonly ReputationOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(Validator.Validate(null, new ReputationOptions()).Succeeded);

    [Theory]
    [InlineData("Cap", -1, "Reputation:Weights:Cap must be above 0 and at most 20 log-odds (was -1).")]
    [InlineData("Cap", 0, "Reputation:Weights:Cap must be above 0 and at most 20 log-odds (was 0).")]
    [InlineData("Cap", 21, "Reputation:Weights:Cap must be above 0 and at most 20 log-odds (was 21).")]
    [InlineData("Cap", double.NaN, "Reputation:Weights:Cap must be above 0 and at most 20 log-odds (was NaN).")]
    [InlineData("Ip", -0.5, "Reputation:Weights:Ip must be between 0 and 10 (was -0.5).")]
    [InlineData("Network", double.PositiveInfinity, "Reputation:Weights:Network must be between 0 and 10 (was Infinity).")]
    [InlineData("Email", 11, "Reputation:Weights:Email must be between 0 and 10 (was 11).")]
    [InlineData("AuthorHost", -1, "Reputation:Weights:AuthorHost must be between 0 and 10 (was -1).")]
    [InlineData("LinkHost", double.NaN, "Reputation:Weights:LinkHost must be between 0 and 10 (was NaN).")]
    [InlineData("Content", -0.25, "Reputation:Weights:Content must be between 0 and 10 (was -0.25).")]
    public void Validate_OutOfRange_FailsNamingTheSettingAndValue(string key, double value, string expected)
    {
        var options = new ReputationOptions();
        typeof(ReputationWeights).GetProperty(key)!.SetValue(options.Weights, value);

        var result = Validator.Validate(null, options);

        Assert.Equal([expected], result.Failures);
    }

    [Fact]
    public void Validate_ZeroWeight_SwitchesASubjectKindOff() =>
        Assert.True(Validator.Validate(null, new ReputationOptions { Weights = new ReputationWeights { Ip = 0, Content = 0 } }).Succeeded);

    [Theory]
    [InlineData(999)]
    [InlineData(0)]
    [InlineData(100_000_001)]
    public void Validate_MaxSubjectsOutOfRange_FailsNamingTheSetting(int value) =>
        Assert.Equal([$"Reputation:MaxSubjects must be between 1000 and 100000000 (was {value})."],
            Validator.Validate(null, new ReputationOptions { MaxSubjects = value }).Failures);
}
