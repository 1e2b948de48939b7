using System.Globalization;
using Microsoft.Extensions.Options;

namespace SpamGuard.Core.Reputation;

/// <summary>
/// Refuses reputation settings that would break or invert reputation at start, rather than on every check: a negative
/// cap makes the clamp throw, a negative weight would count spam reports as ham, and an agreement rule or report budget
/// out of range would either let one site move everyone's verdicts or silence reports.
/// </summary>
internal sealed class ReputationOptionsValidator : IValidateOptions<ReputationOptions>
{
    public const double MaxWeight = 10;
    public const double MaxCap = 20;
    public const int MinSubjects = 1_000;
    public const int MaxSubjects = 100_000_000;

    public ValidateOptionsResult Validate(string? name, ReputationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var weights = options.Weights;
        if (weights is null)
        {
            return ValidateOptionsResult.Fail("Reputation:Weights must be set.");
        }

        var failures = new List<string>();
        foreach (var (key, value) in new[]
                 {
                     (nameof(ReputationWeights.Ip), weights.Ip),
                     (nameof(ReputationWeights.Network), weights.Network),
                     (nameof(ReputationWeights.Email), weights.Email),
                     (nameof(ReputationWeights.AuthorHost), weights.AuthorHost),
                     (nameof(ReputationWeights.LinkHost), weights.LinkHost),
                     (nameof(ReputationWeights.Content), weights.Content),
                 })
        {
            // Written as "not inside" so NaN, which fails every comparison, is refused too.
            if (!(value >= 0 && value <= MaxWeight))
            {
                failures.Add($"Reputation:Weights:{key} must be between 0 and {MaxWeight} (was {Shown(value)}).");
            }
        }

        if (!(weights.Cap > 0 && weights.Cap <= MaxCap))
        {
            failures.Add($"Reputation:Weights:Cap must be above 0 and at most {MaxCap} log-odds (was {Shown(weights.Cap)}).");
        }

        if (options.MinIndependentReporters is < 1 or > ReportingSites.MaxPerLabel)
        {
            failures.Add($"Reputation:MinIndependentReporters must be between 1 and {ReportingSites.MaxPerLabel} (was {options.MinIndependentReporters}).");
        }

        foreach (var site in options.TrustedReporters)
        {
            if (!Uri.TryCreate(site, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                failures.Add($"Reputation:TrustedReporters holds \"{site}\", which is not an absolute http(s) site URL.");
            }
        }

        if (options.ReportRateLimit.ReportsPerMinute < 0 || options.ReportRateLimit.Burst < 1)
        {
            failures.Add("Reputation:ReportRateLimit:ReportsPerMinute must be 0 (off) or more, and Reputation:ReportRateLimit:Burst at least 1.");
        }

        if (options.MaxSubjects is < MinSubjects or > MaxSubjects)
        {
            failures.Add($"Reputation:MaxSubjects must be between {MinSubjects} and {MaxSubjects} (was {options.MaxSubjects}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Shown(double value) => value.ToString(CultureInfo.InvariantCulture);
}
