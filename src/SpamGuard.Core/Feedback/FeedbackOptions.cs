using Microsoft.Extensions.Options;

namespace SpamGuard.Core.Feedback;

/// <summary>Configuration section "Feedback": check records, reports and where local files live.</summary>
public sealed class FeedbackOptions
{
    public const string SectionName = "Feedback";

    /// <summary>How long a check is kept so it can be reported by its id. <value>Default 7.</value></summary>
    public double CheckRetentionDays { get; set; } = 7;

    /// <summary>How long a reported example is kept for retraining. <value>Default 180.</value></summary>
    public double ExampleRetentionDays { get; set; } = 180;

    /// <summary>
    /// The root of every local file: the pseudonymisation secret (unless Privacy:PseudonymSecretFile is set), the
    /// report journal and check outbox, and without Redis the SQLite stores, labelled examples and model registry.
    /// A relative path is taken from the working directory at start. <value>Default <see cref="Feedback.DataDirectory.Default"/>
    /// (~/.local/share/spamguard).</value>
    /// </summary>
    public string DataDirectory { get; set; } = Feedback.DataDirectory.Default;

    /// <summary>How often journaled reports are retried while Redis is unavailable. <value>Default 5.</value></summary>
    public double JournalReplaySeconds { get; set; } = 5;

    /// <summary>
    /// The most check records the embedded default keeps (on disk, or in memory when Core runs alone); past it the
    /// oldest go first, counted by spamguard_check_records_evicted_total, and a report on one is answered as an
    /// unknown check. About 2 KB of disk each, so the default bounds the file near 2 GB. Redis mode is bounded by
    /// retention and Redis's own memory policy instead. <value>Default 1,000,000.</value>
    /// </summary>
    public int MaxCheckRecords { get; set; } = 1_000_000;

    /// <summary>Most check records kept in the local outbox (checks.outbox.jsonl) while the store cannot take them;
    /// a check beyond it cannot be reported by id (its answer says the record was not stored). About 1–2 KB each.
    /// <value>Default 100,000.</value></summary>
    public int OutboxCapacity { get; set; } = 100_000;

    public TimeSpan CheckRetention => TimeSpan.FromDays(CheckRetentionDays);

    public TimeSpan ExampleRetention => TimeSpan.FromDays(ExampleRetentionDays);
}

internal sealed class FeedbackOptionsValidator : IValidateOptions<FeedbackOptions>
{
    public ValidateOptionsResult Validate(string? name, FeedbackOptions options)
    {
        var failures = new List<string>();
        // A second at least: the TTL is set in whole seconds. Short values are for tests of expiry.
        if (options.CheckRetentionDays is not (>= 1.0 / 86_400 and <= 365))
        {
            failures.Add("Feedback:CheckRetentionDays must be between one second (0.0000116) and 365.");
        }

        if (options.ExampleRetentionDays is not (>= 1 and <= 3650))
        {
            failures.Add("Feedback:ExampleRetentionDays must be between 1 and 3650.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Feedback:DataDirectory must not be empty (its default is under the home directory, and this account has none: set a path).");
        }

        if (options.JournalReplaySeconds is not (>= 0.05 and <= 3600))
        {
            failures.Add("Feedback:JournalReplaySeconds must be between 0.05 and 3600.");
        }

        if (options.MaxCheckRecords is not (>= 1 and <= 1_000_000_000))
        {
            failures.Add("Feedback:MaxCheckRecords must be between 1 and 1000000000.");
        }

        if (options.OutboxCapacity is not (>= 1 and <= 10_000_000))
        {
            failures.Add("Feedback:OutboxCapacity must be between 1 and 10,000,000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
