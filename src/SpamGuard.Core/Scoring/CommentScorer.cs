using Microsoft.Extensions.Options;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;

namespace SpamGuard.Core.Scoring;

/// <summary>
/// The scoring pipeline: features → model → rules → calibrated probability → verdict and explanation.
/// Every edge (gRPC, REST, CLI) calls this one method, so they cannot disagree.
/// </summary>
public sealed class CommentScorer(ISpamClassifier classifier, IOptions<ScoringOptions> options)
{
    /// <exception cref="ModelNotReadyException">No model is loaded yet.</exception>
    public CheckResult Check(Comment comment)
    {
        ArgumentNullException.ThrowIfNull(comment);
        // Read once: a model swapped in meanwhile does not affect this check.
        var model = classifier.Current ?? throw new ModelNotReadyException();
        var settings = options.Value;

        var score = model.Score(CommentFeatureExtractor.Extract(comment), settings.MaxSignals);

        var signals = new List<Signal>(score.Contributions.Count + 4);
        signals.AddRange(score.Contributions);
        var ruleStart = signals.Count;
        ScoringRules.Evaluate(comment, settings.Rules, signals);

        var logit = score.Logit;
        for (var i = ruleStart; i < signals.Count; i++)
        {
            logit += signals[i].Weight;
        }

        var probability = Probability.FromLogit(logit);
        var thresholds = EffectiveThresholds(settings, model.Thresholds);
        var verdict = probability >= thresholds.Discard ? Verdict.Discard
            : probability >= thresholds.Spam ? Verdict.Spam
            : Verdict.Ham;
        if (signals.Exists(static s => s.Name == ScoringRules.AdministratorRule))
        {
            // Akismet's contract: an administrator's comment is never spam, whatever the text says.
            verdict = Verdict.Ham;
        }

        signals.Sort(static (a, b) => Math.Abs(b.Weight).CompareTo(Math.Abs(a.Weight)));
        if (signals.Count > settings.MaxSignals)
        {
            signals.RemoveRange(settings.MaxSignals, signals.Count - settings.MaxSignals);
        }

        var explanation = new Explanation(
            SummaryWriter.Write(verdict, probability, signals),
            signals,
            ProcessingDisclosure.For(comment),
            score.BaseLogit);
        return new CheckResult(CheckId.New(), verdict, probability, thresholds, model.Version, explanation);
    }

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
