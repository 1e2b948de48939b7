using Microsoft.Extensions.Options;

namespace SpamGuard.ML.Retraining;

/// <summary>How the server retrains. Section <c>Retraining</c>.</summary>
public sealed class RetrainingOptions
{
    public const string SectionName = "Retraining";

    /// <summary>Labelled corpus files (JSONL or CSV, as <c>spamguard train</c> reads) trained on besides the reports.
    /// Empty: the files the active model's card names, looked up under <see cref="CorpusRoot"/>, where present.</summary>
    public IList<string> BaseCorpus { get; } = [];

    /// <summary>Where the card's corpus files (e.g. "sms-spam-collection/train.jsonl") are looked up.
    /// <value>Default "../shared/data".</value></summary>
    public string CorpusRoot { get; set; } = "../shared/data";

    /// <summary>Activate a candidate that passes the gate without waiting for an admin. <value>Default true.</value></summary>
    public bool AutoPromote { get; set; } = true;

    /// <summary>How much worse than the active model a candidate may be and still pass: its ham-blocked rate may be
    /// higher, and its F1 lower, by at most this much (absolute). <value>Default 0.005.</value></summary>
    public double GateTolerance { get; set; } = 0.005;

    /// <summary>Nice value of the training thread on Linux (0..19): scoring threads win the CPU when both want it.
    /// <value>Default 10.</value></summary>
    public int NiceLevel { get; set; } = 10;
}

internal sealed class RetrainingOptionsValidator : IValidateOptions<RetrainingOptions>
{
    public ValidateOptionsResult Validate(string? name, RetrainingOptions options) =>
        !(options.GateTolerance is >= 0 and <= 1) ? ValidateOptionsResult.Fail("Retraining:GateTolerance must be between 0 and 1.")
        : options.NiceLevel is < 0 or > 19 ? ValidateOptionsResult.Fail("Retraining:NiceLevel must be between 0 and 19.")
        : ValidateOptionsResult.Success;
}
