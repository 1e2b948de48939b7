using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using SpamGuard.Contracts.V1;
using SpamGuard.ML.Evaluation;
using SpamGuard.ML.Models;
using SpamGuard.ML.Registry;
using SpamGuard.ML.Retraining;

namespace SpamGuard.Server.Admin;

/// <summary>Registry and retraining types to the admin wire messages.</summary>
internal static class ModelInfoMapper
{
    public static ModelInfo ToInfo(RegisteredModel model, bool active) => new()
    {
        Version = model.Version,
        Active = active,
        CreatedAt = Timestamp.FromDateTimeOffset(model.Card.CreatedUtc),
        CardJson = JsonSerializer.Serialize(model.Card, ModelFiles.CardJson),
        Validation = ToEvaluation(model.Card.Validation),
        SpamThreshold = model.Card.Thresholds.Spam,
        DiscardThreshold = model.Card.Thresholds.Discard,
    };

    public static RetrainProgress ToProgress(string jobId, RetrainStatus status, bool joined)
    {
        var progress = new RetrainProgress
        {
            JobId = jobId,
            Phase = status.Phase,
            RowsRead = status.RowsRead,
            Percent = status.Percent,
            Joined = joined,
            Error = status.Error ?? "",
        };
        if (status.Result is { } result)
        {
            progress.Result = new Contracts.V1.RetrainResult
            {
                Candidate = ToInfo(result.Candidate, result.Promoted),
                ActiveVersion = result.ActiveVersion,
                ActiveEvaluation = ToEvaluation(result.Active),
                CandidateEvaluation = ToEvaluation(result.CandidateMetrics),
                Promoted = result.Promoted,
                Gate = result.Gate,
            };
        }

        return progress;
    }

    public static Evaluation ToEvaluation(ValidationReport report)
    {
        var evaluation = new Evaluation { Overall = ToMetrics(report.Overall) };
        foreach (var (source, metrics) in report.PerSource)
        {
            evaluation.PerSource[source] = ToMetrics(metrics);
        }

        return evaluation;
    }

    private static Metrics ToMetrics(BinaryMetrics m) => new()
    {
        Rows = m.Count,
        Spam = m.Spam,
        Ham = m.Ham,
        Accuracy = m.Accuracy,
        Precision = m.Precision,
        Recall = m.Recall,
        F1 = m.F1,
        Mcc = m.Mcc,
        Auc = m.Auc,
        HamBlocked = m.FalsePositiveRate,
        SpamCaught = m.SpamCaught,
    };
}
