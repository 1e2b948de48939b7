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
        var thresholds = new Thresholds(
            settings.SpamThreshold ?? model.Thresholds.Spam,
            settings.DiscardThreshold ?? model.Thresholds.Discard);
        var verdict = probability >= thresholds.Discard ? Verdict.Discard
            : probability >= thresholds.Spam ? Verdict.Spam
            : Verdict.Ham;

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
}
