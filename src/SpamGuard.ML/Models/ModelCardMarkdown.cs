using System.Text;
using SpamGuard.ML.Evaluation;

namespace SpamGuard.ML.Models;

/// <summary>The human-readable model card, written from the same record as the JSON one.</summary>
internal static class ModelCardMarkdown
{
    public static string Write(ModelCard card)
    {
        var sb = new StringBuilder();
        Line(sb, $"# Model card: {card.ModelVersion}");
        sb.AppendLine();
        Line(sb, $"Created {card.CreatedUtc:yyyy-MM-dd HH:mm} UTC. Seed {card.Seed}. {card.FeatureCount} features.");
        sb.AppendLine();
        Line(sb, "Rebuild with:");
        sb.AppendLine().AppendLine("```").AppendLine(card.Command).AppendLine("```").AppendLine();
        Line(sb, "## Training data");
        sb.AppendLine();
        Line(sb, "| file | rows | spam | ham | sha256 |");
        Line(sb, "|---|---|---|---|---|");
        foreach (var d in card.Data)
        {
            Line(sb, $"| {d.File} | {d.Rows} | {d.Spam} | {d.Ham} | `{d.Sha256}` |");
        }

        sb.AppendLine();
        foreach (var d in card.Data)
        {
            Line(sb, $"- {d.File}: {d.Citation} Licence: {d.Licence}");
        }

        sb.AppendLine();
        Line(sb, "## Method");
        sb.AppendLine();
        Line(sb, $"- Trainer: {card.Trainer.Algorithm}; {string.Join(", ", card.Trainer.Parameters.Select(p => $"{p.Key}={p.Value}"))}.");
        Line(sb, $"- Features: {card.Trainer.Features}");
        Line(sb, $"- Split: {card.Split.Method} Validation fraction {card.Split.ValidationFraction}: {card.Split.TrainRows} training rows ({card.Split.TrainRowsAfterDeduplication} used for training), {card.Split.ValidationRows} validation rows.");
        Line(sb, $"- Calibration: {card.Calibration.Method} ({card.Calibration.Folds} folds, {card.Calibration.OutOfFoldRows} rows): logit = {card.Calibration.Slope:0.####} × margin + {card.Calibration.Offset:0.####}.");
        Line(sb, $"- Thresholds: spam ≥ {card.Thresholds.Spam:0.####}, discard ≥ {card.Thresholds.Discard:0.####}. Rule: {card.Thresholds.Rule}.");
        sb.AppendLine();
        Line(sb, "## Validation metrics (held-back rows only)");
        sb.AppendLine();
        Line(sb, "The model never trained on these rows, and its calibration and thresholds were chosen on out-of-fold scores of the training rows, not on them. Spam is the positive class; ham blocked is the false-positive rate.");
        sb.AppendLine();
        Line(sb, "| part | rows | spam | ham | accuracy | precision | recall | F1 | MCC | AUC | ham blocked | spam caught |");
        Line(sb, "|---|---|---|---|---|---|---|---|---|---|---|---|");
        Row(sb, "all", card.Validation.Overall);
        foreach (var (corpus, m) in card.Validation.PerCorpus)
        {
            Row(sb, corpus, m);
        }

        foreach (var (source, m) in card.Validation.PerSource)
        {
            Row(sb, "source " + source, m);
        }

        if (card.CrossValidation is { } cv)
        {
            var bySource = card.Trainer.Parameters.TryGetValue("held_out", out var heldOut) && heldOut == "sources";
            sb.AppendLine();
            Line(sb, bySource
                ? "## Leave-one-source-out (each source scored by a model trained without it, at the same threshold)"
                : "## Cross-validation (out-of-fold scores of the training rows, at the same threshold)");
            sb.AppendLine();
            Line(sb, bySource
                ? "What a site the model never saw gets: each source of a multi-source corpus (each video) was held out in turn, a single-source corpus (SMS) by folds. Calibration and thresholds were chosen on these scores, and configurations are compared on them."
                : "Configurations are compared on these figures, so that model selection does not touch the validation rows.");
            sb.AppendLine();
            Line(sb, "| part | rows | spam | ham | accuracy | precision | recall | F1 | MCC | AUC | ham blocked | spam caught |");
            Line(sb, "|---|---|---|---|---|---|---|---|---|---|---|---|");
            Row(sb, "all", cv.Overall);
            foreach (var (corpus, m) in cv.PerCorpus)
            {
                Row(sb, corpus, m);
            }

            if (bySource)
            {
                foreach (var (source, m) in cv.PerSource)
                {
                    Row(sb, "held out: " + source, m);
                }

                if (Evaluation.SourceSummary.Of(cv.PerSource) is { } summary)
                {
                    sb.AppendLine();
                    Line(sb, $"Over the {summary.Sources} held-out sources: mean F1 {summary.MeanF1:0.0000}, worst {summary.WorstF1:0.0000} ({summary.WorstSource}); mean ham blocked {summary.MeanHamBlocked:P2}, most {summary.MostHamBlocked:P2} ({summary.MostHamBlockedSource}).");
                }
            }
        }

        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string part, BinaryMetrics m) =>
        Line(sb, $"| {part} | {m.Count} | {m.Spam} | {m.Ham} | {m.Accuracy:0.0000} | {m.Precision:0.0000} | {m.Recall:0.0000} | {m.F1:0.0000} | {m.Mcc:0.0000} | {m.Auc:0.0000} | {m.FalsePositiveRate:P2} ({m.HamBlocked}) | {m.SpamCaught}/{m.Spam} |");

    // The service runs with invariant globalisation, so interpolation already formats invariantly.
    private static void Line(StringBuilder sb, string text) => sb.AppendLine(text);
}
