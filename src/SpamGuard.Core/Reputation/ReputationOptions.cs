using Microsoft.Extensions.Options;

namespace SpamGuard.Core.Reputation;

/// <summary>Configuration section "Reputation".</summary>
public sealed class ReputationOptions
{
    public const string SectionName = "Reputation";

    private ReportAgreement? _agreement;

    /// <summary>How far each kind of subject's reports may move a score (see <see cref="ReputationEvidence"/>).</summary>
    public ReputationWeights Weights { get; set; } = new();

    /// <summary>
    /// Distinct sites that must have reported a subject as spam (or as ham) in the last 30 days before those reports
    /// move other sites' verdicts; a site's own reports always move its own. 1 lets any one site's reports move
    /// everyone's. <value>Default 3; 1 to <see cref="ReportingSites.MaxPerLabel"/>.</value>
    /// </summary>
    public int MinIndependentReporters { get; set; } = 3;

    /// <summary>
    /// Sites (absolute URLs, as their keys are issued for) whose reports move every site's verdicts on their own,
    /// e.g. the operator's own moderation desk. A key is trusted through the sites it may act for.
    /// <value>Default none.</value>
    /// </summary>
    public IList<string> TrustedReporters { get; } = [];

    /// <summary>How many spam and ham reports one site key may submit (section "Reputation:ReportRateLimit").</summary>
    public ReportRateLimitOptions ReportRateLimit { get; set; } = new();

    /// <summary>The rule <see cref="MinIndependentReporters"/> and <see cref="TrustedReporters"/> describe, built
    /// once (options are bound before first use and not reloaded).</summary>
    public ReportAgreement Agreement => _agreement ??= new ReportAgreement(MinIndependentReporters, TrustedReporters);
}

/// <summary>A token bucket per site key for SubmitSpam/SubmitHam, on top of the key's general rate limit: reports
/// change what other calls are told, so they get a budget of their own.</summary>
public sealed class ReportRateLimitOptions
{
    /// <summary>Sustained reports per minute per key; 0 switches the limit off. <value>Default 60.</value></summary>
    public int ReportsPerMinute { get; set; } = 60;

    /// <summary>Reports a key may send at once above the sustained rate (a moderator emptying a queue).
    /// <value>Default 100.</value></summary>
    public int Burst { get; set; } = 100;
}

internal sealed class ReputationOptionsValidator : IValidateOptions<ReputationOptions>
{
    public ValidateOptionsResult Validate(string? name, ReputationOptions options)
    {
        var failures = new List<string>();
        if (options.MinIndependentReporters is < 1 or > ReportingSites.MaxPerLabel)
        {
            failures.Add($"Reputation:MinIndependentReporters must be between 1 and {ReportingSites.MaxPerLabel}.");
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

        var weights = options.Weights;
        foreach (var (key, weight) in new[]
                 {
                     ("Ip", weights.Ip), ("Network", weights.Network), ("Email", weights.Email), ("AuthorHost", weights.AuthorHost),
                     ("LinkHost", weights.LinkHost), ("Content", weights.Content), ("Cap", weights.Cap),
                 })
        {
            // "Not inside" so NaN is refused too; a negative cap would make every check fail in Math.Clamp.
            if (!(weight >= 0 && weight <= 100))
            {
                failures.Add($"Reputation:Weights:{key} must be between 0 and 100.");
            }
        }

        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
