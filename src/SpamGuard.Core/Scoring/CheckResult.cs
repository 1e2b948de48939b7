using SpamGuard.Core.Explanations;

namespace SpamGuard.Core.Scoring;

public enum Verdict
{
    Ham,
    Spam,

    /// <summary>Blatant spam a blog need not queue for review.</summary>
    Discard,
}

/// <summary>The outcome of one check.</summary>
/// <param name="CheckId">Unguessable 128-bit id, 32 lowercase hex digits.</param>
/// <param name="SpamProbability">Calibrated probability of spam, 0..1.</param>
public sealed record CheckResult(
    string CheckId,
    Verdict Verdict,
    double SpamProbability,
    Thresholds Thresholds,
    string ModelVersion,
    Explanation Explanation);
