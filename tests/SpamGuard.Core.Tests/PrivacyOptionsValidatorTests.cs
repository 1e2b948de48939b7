using SpamGuard.Core.Privacy;

namespace SpamGuard.Core.Tests;

public sealed class PrivacyOptionsValidatorTests
{
    private static readonly PrivacyOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(Validator.Validate(null, new PrivacyOptions()).Succeeded);

    [Fact]
    public void Validate_UsableSecret_Succeeds() =>
        Assert.True(Validator.Validate(null, new PrivacyOptions { PseudonymSecret = Convert.ToBase64String(new byte[32]), PseudonymSecretFile = "" }).Succeeded);

    [Fact]
    public void Validate_SecretNotBase64_FailsWithoutShowingIt()
    {
        var result = Validator.Validate(null, new PrivacyOptions { PseudonymSecret = "not*base64*secret-value" });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Privacy:PseudonymSecret must be base64", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortSecret_FailsWithItsLength() =>
        Assert.Equal(["Privacy:PseudonymSecret must decode to at least 32 bytes (was 16)."],
            Validator.Validate(null, new PrivacyOptions { PseudonymSecret = Convert.ToBase64String(new byte[16]) }).Failures);

    [Fact]
    public void Validate_NoSecretAndNoFile_Fails() =>
        Assert.Equal(["Privacy:PseudonymSecretFile must be a path when Privacy:PseudonymSecret is not set (was empty)."],
            Validator.Validate(null, new PrivacyOptions { PseudonymSecretFile = " " }).Failures);

    [Theory]
    [InlineData("OperatorName", "", "Privacy:OperatorName must not be empty.")]
    [InlineData("OperatorName", 201, "Privacy:OperatorName must have at most 200 characters (was 201).")]
    [InlineData("OperatorContact", 321, "Privacy:OperatorContact must have at most 320 characters (was 321).")]
    [InlineData("LegalBasis", " ", "Privacy:LegalBasis must not be empty.")]
    [InlineData("LegalBasis", 2001, "Privacy:LegalBasis must have at most 2000 characters (was 2001).")]
    public void Validate_BadText_FailsNamingTheSetting(string key, object value, string expected)
    {
        var options = new PrivacyOptions();
        typeof(PrivacyOptions).GetProperty(key)!.SetValue(options, value as string ?? new string('x', (int)value));

        Assert.Equal([expected], Validator.Validate(null, options).Failures);
    }

    [Fact]
    public void Validate_EmptyContact_IsAllowed() =>
        Assert.True(Validator.Validate(null, new PrivacyOptions { OperatorContact = "" }).Succeeded);
}
