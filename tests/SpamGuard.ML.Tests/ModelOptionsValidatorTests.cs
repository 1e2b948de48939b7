namespace SpamGuard.ML.Tests;

public sealed class ModelOptionsValidatorTests
{
    private static readonly ModelOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(Validator.Validate(null, new ModelOptions()).Succeeded);

    [Theory]
    [InlineData(0, "Model:SyncSeconds must be at least 1 (was 0).")]
    [InlineData(-5, "Model:SyncSeconds must be at least 1 (was -5).")]
    [InlineData(0.5, "Model:SyncSeconds must be at least 1 (was 0.5).")]
    [InlineData(double.NaN, "Model:SyncSeconds must be at least 1 (was NaN).")]
    [InlineData(86_401, "Model:SyncSeconds must be at most 86400 (a day; was 86401).")]
    public void Validate_SyncSecondsOutOfRange_FailsNamingTheSettingAndValue(double seconds, string expected) =>
        Assert.Equal([expected], Validator.Validate(null, new ModelOptions { SyncSeconds = seconds }).Failures);

    [Fact]
    public void Validate_EmptyPath_Fails() =>
        Assert.Equal(["Model:Path must name the model zip (was empty)."], Validator.Validate(null, new ModelOptions { Path = " " }).Failures);
}
