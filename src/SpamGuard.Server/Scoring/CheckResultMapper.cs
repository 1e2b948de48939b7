using System.Diagnostics;
using SpamGuard.Contracts.V1;
using CoreExplanations = SpamGuard.Core.Explanations;
using CoreScoring = SpamGuard.Core.Scoring;

namespace SpamGuard.Server.Scoring;

/// <summary>Turns a Core <see cref="CoreScoring.CheckResult"/> into the wire <see cref="CheckCommentResponse"/>.</summary>
internal static class CheckResultMapper
{
    public static CheckCommentResponse ToResponse(this CoreScoring.CheckResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var explanation = new Explanation
        {
            Summary = result.Explanation.Summary,
            BaseWeight = result.Explanation.BaseWeight,
            ReputationAvailable = result.Explanation.ReputationAvailable,
        };
        explanation.Signals.Add(result.Explanation.Signals.Select(ToSignal));
        explanation.Processing.Add(result.Explanation.Processing.Select(ToFieldProcessing));

        return new CheckCommentResponse
        {
            Verdict = ToVerdict(result.Verdict),
            SpamProbability = result.SpamProbability,
            Thresholds = new Thresholds { Spam = result.Thresholds.Spam, Discard = result.Thresholds.Discard },
            CheckId = result.CheckId,
            ModelVersion = result.ModelVersion,
            Explanation = explanation,
            ReputationAvailable = result.Explanation.ReputationAvailable,
        };
    }

    /// <summary>What a kept check told its caller, in the response's shape; thresholds and base weight are not kept.</summary>
    public static CheckCommentResponse ToResponse(this Core.Feedback.CheckRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var receipt = record.Receipt ?? throw new ArgumentException("The record has no receipt.", nameof(record));
        var explanation = new Explanation { Summary = receipt.Summary, ReputationAvailable = receipt.ReputationAvailable };
        explanation.Signals.Add(receipt.Signals.Select(ToSignal));
        explanation.Processing.Add(receipt.Processing.Select(ToFieldProcessing));
        return new CheckCommentResponse
        {
            Verdict = ToVerdict(receipt.Verdict),
            SpamProbability = receipt.SpamProbability,
            CheckId = record.CheckId,
            ModelVersion = receipt.ModelVersion,
            Explanation = explanation,
            ReputationAvailable = receipt.ReputationAvailable,
        };
    }

    private static Verdict ToVerdict(CoreScoring.Verdict verdict) => verdict switch
    {
        CoreScoring.Verdict.Ham => Verdict.Ham,
        CoreScoring.Verdict.Spam => Verdict.Spam,
        CoreScoring.Verdict.Discard => Verdict.Discard,
        _ => throw new UnreachableException($"Unmapped verdict {verdict}."),
    };

    private static Signal ToSignal(CoreExplanations.Signal signal) => new()
    {
        Name = signal.Name,
        Kind = signal.Kind switch
        {
            CoreExplanations.SignalKind.Text => SignalKind.Text,
            CoreExplanations.SignalKind.Link => SignalKind.Link,
            CoreExplanations.SignalKind.Author => SignalKind.Author,
            CoreExplanations.SignalKind.Behaviour => SignalKind.Behaviour,
            CoreExplanations.SignalKind.Rule => SignalKind.Rule,
            CoreExplanations.SignalKind.Reputation => SignalKind.Reputation,
            _ => throw new UnreachableException($"Unmapped signal kind {signal.Kind}."),
        },
        Weight = signal.Weight,
        Evidence = signal.Evidence,
    };

    private static FieldProcessing ToFieldProcessing(CoreExplanations.FieldProcessing processing) => new()
    {
        Field = processing.Field,
        Purpose = processing.Purpose,
        Handling = processing.Handling switch
        {
            CoreExplanations.DataHandling.UsedInMemoryDiscarded => DataHandling.UsedInMemoryDiscarded,
            CoreExplanations.DataHandling.StoredPseudonymised => DataHandling.StoredPseudonymised,
            CoreExplanations.DataHandling.Stored => DataHandling.Stored,
            CoreExplanations.DataHandling.IgnoredDiscarded => DataHandling.IgnoredDiscarded,
            _ => throw new UnreachableException($"Unmapped data handling {processing.Handling}."),
        },
        RetentionSeconds = (long)processing.Retention.TotalSeconds,
        Retention = CoreExplanations.RetentionText.Describe(processing.Retention),
        Pseudonyms = { processing.Pseudonyms },
    };
}
