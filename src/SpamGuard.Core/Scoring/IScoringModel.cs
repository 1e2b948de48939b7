using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;

namespace SpamGuard.Core.Scoring;

/// <summary>Probability cut-offs: at or above <see cref="Spam"/> a comment is spam, at or above
/// <see cref="Discard"/> it is blatant spam a blog may drop unseen.</summary>
public sealed record Thresholds(double Spam, double Discard)
{
    public bool IsValid => Spam is > 0 and < 1 && Discard > Spam && Discard <= 1;
}

/// <summary>A model's opinion of one comment, on the calibrated log-odds scale.</summary>
/// <param name="Logit">Calibrated log-odds of spam: <c>BaseLogit + sum of all feature contributions</c>.</param>
/// <param name="BaseLogit">Log-odds for a comment with no features at all (the model's bias).</param>
/// <param name="Contributions">The largest feature contributions by absolute value, strongest first.</param>
public sealed record ModelScore(double Logit, double BaseLogit, IReadOnlyList<Signal> Contributions);

/// <summary>One loaded, immutable model version. Thread-safe.</summary>
public interface IScoringModel
{
    /// <summary>e.g. "spamguard-1.0.0".</summary>
    string Version { get; }

    /// <summary>Thresholds chosen for this model on its validation data.</summary>
    Thresholds Thresholds { get; }

    /// <summary>Scores one comment and returns at most <paramref name="maxContributions"/> contributions.</summary>
    ModelScore Score(CommentFeatures features, int maxContributions);
}

/// <summary>
/// Gives the model to score with. Callers read <see cref="Current"/> once per check, so a check that started on one
/// version finishes on it even if a new version is swapped in meanwhile.
/// </summary>
public interface ISpamClassifier
{
    /// <summary>The active model, or null while none is loaded.</summary>
    IScoringModel? Current { get; }
}
