using Microsoft.Extensions.Options;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;

namespace SpamGuard.Core.Scoring;

/// <summary>
/// The scoring pipeline: features → model → rules → (evidence from outside, e.g. reputation) → calibrated
/// probability → verdict and explanation. The service (<see cref="CommentCheckService"/>) and the CLI both score
/// through here, so they cannot disagree.
/// </summary>
public sealed class CommentScorer(ISpamClassifier classifier, IOptions<ScoringOptions> options)
{
    /// <summary>Scores on the model and rules alone, consulting and storing nothing.</summary>
    /// <exception cref="ModelNotReadyException">No model is loaded yet.</exception>
    public CheckResult Check(Comment comment) =>
        Finish(Prepare(comment), [], StoredData.None, CheckId.New());

    /// <summary>The model's and the rules' opinion, before any outside evidence.</summary>
    /// <exception cref="ModelNotReadyException">No model is loaded yet.</exception>
    public PreparedScore Prepare(Comment comment)
    {
        ArgumentNullException.ThrowIfNull(comment);
        // Read once: a model swapped in meanwhile does not affect this check.
        var model = classifier.Current ?? throw new ModelNotReadyException();
        var settings = options.Value;

        var features = CommentFeatureExtractor.Extract(comment);
        var score = model.Score(features, settings.MaxSignals);

        var signals = new List<Signal>(score.Contributions.Count + 16);
        signals.AddRange(score.Contributions);
        var ruleStart = signals.Count;
        ScoringRules.Evaluate(comment, settings.Rules, signals);

        var logit = score.Logit;
        for (var i = ruleStart; i < signals.Count; i++)
        {
            logit += signals[i].Weight;
        }

        var thresholds = EffectiveThresholds(settings, model.Thresholds);
        // Administrator first: Akismet answers ham for an administrator whatever else the request says.
        Verdict? forced = signals.Exists(static s => s.Name == ScoringRules.AdministratorRule) ? Verdict.Ham
            : signals.Exists(static s => s.Name == ScoringRules.TestSpamRule) ? Verdict.Spam
            : null;
        return new PreparedScore(comment, model.Version, thresholds, score.BaseLogit, logit, signals, new NormalizedContent(features.Text, features.LinkHostList), forced);
    }

    /// <summary>Adds <paramref name="evidence"/> (log-odds signals from outside the model) and decides.</summary>
    public CheckResult Finish(PreparedScore prepared, IReadOnlyList<Signal> evidence, StoredData stored, string checkId)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(stored);
        var settings = options.Value;
        var signals = new List<Signal>(prepared.Signals.Count + evidence.Count);
        signals.AddRange(prepared.Signals);
        signals.AddRange(evidence);
        var logit = prepared.Logit;
        foreach (var signal in evidence)
        {
            logit += signal.Weight;
        }

        var probability = Probability.FromLogit(logit);
        var verdict = Decide(probability, prepared.Thresholds);
        if (prepared.Forced is { } forced)
        {
            // Akismet's contract: an administrator's comment is never spam, whatever the text says, and its test
            // triggers answer spam (not discard).
            verdict = forced;
        }

        signals.Sort(static (a, b) => Math.Abs(b.Weight).CompareTo(Math.Abs(a.Weight)));
        if (signals.Count > settings.MaxSignals)
        {
            signals.RemoveRange(settings.MaxSignals, signals.Count - settings.MaxSignals);
        }

        var explanation = new Explanation(
            SummaryWriter.Write(verdict, probability, signals),
            signals,
            ProcessingDisclosure.For(prepared.Comment, stored),
            prepared.BaseLogit)
        {
            ReputationAvailable = stored.Reputation is ReputationUse.Recorded or ReputationUse.ReadOnly,
        };
        return new CheckResult(checkId, verdict, probability, prepared.Thresholds, prepared.ModelVersion, explanation);
    }

    internal static Verdict Decide(double probability, Thresholds thresholds) =>
        probability >= thresholds.Discard ? Verdict.Discard
        : probability >= thresholds.Spam ? Verdict.Spam
        : Verdict.Ham;

    /// <summary>
    /// Configured overrides win over the model card. An overridden spam threshold at or above the model's discard
    /// threshold would discard comments below the spam threshold, so discarding is then switched off (1.0) instead.
    /// </summary>
    internal static Thresholds EffectiveThresholds(ScoringOptions settings, Thresholds model)
    {
        var spam = settings.SpamThreshold ?? model.Spam;
        var discard = settings.DiscardThreshold ?? model.Discard;
        return new Thresholds(spam, discard > spam ? discard : 1.0);
    }
}

/// <summary>The model's and rules' opinion of one comment, before outside evidence (see <see cref="CommentScorer.Prepare"/>).</summary>
/// <param name="Logit">Model plus rules, in calibrated log-odds.</param>
/// <param name="Content">The content as the features saw it (normalised text and link hosts), so nothing after
/// scoring normalises it again.</param>
/// <param name="Forced">A rule that decides the verdict whatever the evidence (administrator: ham; Akismet's test
/// triggers: spam), or null.</param>
public sealed record PreparedScore(
    Comment Comment,
    string ModelVersion,
    Thresholds Thresholds,
    double BaseLogit,
    double Logit,
    IReadOnlyList<Signal> Signals,
    NormalizedContent Content,
    Verdict? Forced)
{
    /// <summary>What the model and rules alone decide; reputation counts this, never the final verdict, so it
    /// cannot feed on itself.</summary>
    public bool ModelSaysSpam => Forced is null && CommentScorer.Decide(Probability.FromLogit(Logit), Thresholds) != Verdict.Ham;
}
