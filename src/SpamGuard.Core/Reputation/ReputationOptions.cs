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

    /// <summary>
    /// Subjects the in-process store (the embedded default) keeps at most: past it, the ones least recently checked or
    /// reported go first, counted by <c>spamguard_reputation_subjects_evicted_total</c>. A flood of one-off addresses
    /// and texts then costs a bounded amount of memory instead of growing the process for 31 days. Redis mode is
    /// bounded by Redis's own memory settings. <value>Default 500,000 (about 200 MB); 1,000 to 100,000,000.</value>
    /// </summary>
    public int MaxSubjects { get; set; } = 500_000;

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
