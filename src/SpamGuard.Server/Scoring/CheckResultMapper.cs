using System.Collections.Concurrent;
using System.Diagnostics;
using SpamGuard.Contracts.V1;
using CoreExplanations = SpamGuard.Core.Explanations;
using CoreScoring = SpamGuard.Core.Scoring;

namespace SpamGuard.Server.Scoring;

/// <summary>Turns a Core <see cref="CoreScoring.CheckResult"/> into the wire <see cref="CheckCommentResponse"/>.</summary>
internal static class CheckResultMapper
{
    // A handful of configured retentions, described once each instead of once per field of every response.
    private const int MaxRetentionTexts = 64;

    private static readonly ConcurrentDictionary<TimeSpan, string> RetentionTexts = new();

    public static CheckCommentResponse ToResponse(this CoreScoring.CheckResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var explanation = new Explanation
        {
            Summary = result.Explanation.Summary,
            BaseWeight = result.Explanation.BaseWeight,
            ReputationAvailable = result.Explanation.ReputationAvailable,
        };
        AddAll(explanation, result.Explanation.Signals, result.Explanation.Processing);

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
        AddAll(explanation, receipt.Signals, receipt.Processing);
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

    // Indexed loops: LINQ over the read-only lists would allocate an enumerator and a buffer per list per response.
    private static void AddAll(Explanation explanation, IReadOnlyList<CoreExplanations.Signal> signals,
        IReadOnlyList<CoreExplanations.FieldProcessing> processing)
    {
        explanation.Signals.Capacity = signals.Count;
        for (var i = 0; i < signals.Count; i++)
        {
            explanation.Signals.Add(ToSignal(signals[i]));
        }

        explanation.Processing.Capacity = processing.Count;
        for (var i = 0; i < processing.Count; i++)
        {
            explanation.Processing.Add(ToFieldProcessing(processing[i]));
        }
    }

    private static string Describe(TimeSpan retention)
    {
        if (RetentionTexts.TryGetValue(retention, out var text))
        {
            return text;
        }

        text = CoreExplanations.RetentionText.Describe(retention);
        if (RetentionTexts.Count < MaxRetentionTexts)
        {
            RetentionTexts.TryAdd(retention, text);
        }

        return text;
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
        Retention = Describe(processing.Retention),
        Pseudonyms = { processing.Pseudonyms },
    };
}
