using Microsoft.Extensions.Options;

namespace SpamGuard.Core.Privacy;

/// <summary>
/// Checks the privacy settings at start: a configured secret must be usable (its value is never echoed), the secret
/// file must have a path when it is needed, and the texts the privacy page shows must be present and of sane length.
/// </summary>
internal sealed class PrivacyOptionsValidator : IValidateOptions<PrivacyOptions>
{
    public const int MaxNameLength = 200;
    public const int MaxContactLength = 320;
    public const int MaxLegalBasisLength = 2000;

    public ValidateOptionsResult Validate(string? name, PrivacyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.PseudonymSecret))
        {
            var buffer = new byte[options.PseudonymSecret.Length];
            if (!Convert.TryFromBase64String(options.PseudonymSecret.Trim(), buffer, out var bytes))
            {
                failures.Add("Privacy:PseudonymSecret must be base64 (it is not; the value is not shown).");
            }
            else if (bytes < Pseudonymizer.MinimumSecretBytes)
            {
                failures.Add($"Privacy:PseudonymSecret must decode to at least {Pseudonymizer.MinimumSecretBytes} bytes (was {bytes}).");
            }
        }
        // Empty means "pseudonym-secret.key under Feedback:DataDirectory" (filled in before validation); blanks are a typo.
        else if (options.PseudonymSecretFile.Length > 0 && string.IsNullOrWhiteSpace(options.PseudonymSecretFile))
        {
            failures.Add("Privacy:PseudonymSecretFile must be a path when Privacy:PseudonymSecret is not set (was empty).");
        }

        Text(failures, "Privacy:OperatorName", options.OperatorName, MaxNameLength, required: true);
        Text(failures, "Privacy:OperatorContact", options.OperatorContact, MaxContactLength, required: false);
        Text(failures, "Privacy:LegalBasis", options.LegalBasis, MaxLegalBasisLength, required: true);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Text(List<string> failures, string key, string? value, int maxLength, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{key} must not be empty.");
        }
        else if (value is { Length: var length } && length > maxLength)
        {
            failures.Add($"{key} must have at most {maxLength} characters (was {length}).");
        }
    }
}
