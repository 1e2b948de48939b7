using System.Globalization;
using Spectre.Console;
using SpamGuard.ML.Evaluation;
using SpamGuard.ML.Models;

namespace SpamGuard.Cli.Commands;

/// <summary>Readable tables for people; commands with --json print JSON instead.</summary>
internal static class ResultTables
{
    public static void WriteCard(ModelCard card, string zipPath)
    {
        AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{zipPath}[/] ({card.FeatureCount} features)");
        AnsiConsole.MarkupLineInterpolated(
            $"Thresholds: spam >= {card.Thresholds.Spam.ToString("0.####", CultureInfo.InvariantCulture)}, discard >= {card.Thresholds.Discard.ToString("0.####", CultureInfo.InvariantCulture)}");
        var rows = new List<(string, BinaryMetrics)> { ("validation (all)", card.Validation.Overall) };
        rows.AddRange(card.Validation.PerCorpus.Select(p => (p.Key, p.Value)));
        rows.AddRange(card.Validation.PerSource.Select(p => ("source " + p.Key, p.Value)));
        WriteMetrics(rows);
        if (card.CrossValidation is not { } cv || !card.Trainer.Parameters.TryGetValue("held_out", out var heldOut) || heldOut != "sources")
        {
            return;
        }

        AnsiConsole.MarkupLine("Leave-one-source-out (each source scored by a model trained without it; thresholds chosen on these):");
        WriteMetrics(cv.PerSource.Select(p => (p.Key, p.Value)));
        if (SourceSummary.Of(cv.PerSource) is { } s)
        {
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"mean over {s.Sources} held-out sources: f1 {s.MeanF1:0.0000}, ham blocked {s.MeanHamBlocked:P2}; worst f1 {s.WorstF1:0.0000} ({Markup.Escape(s.WorstSource)}); most ham blocked {s.MostHamBlocked:P2} ({Markup.Escape(s.MostHamBlockedSource)})"));
        }
    }

    public static void WriteMetrics(IEnumerable<(string Part, BinaryMetrics Metrics)> rows)
    {
        var table = new Table().AddColumns("part", "count", "accuracy", "precision", "recall", "f1", "mcc", "auc", "ham blocked", "spam caught");
        foreach (var (part, m) in rows)
        {
            table.AddRow(
                Markup.Escape(part),
                m.Count.ToString(CultureInfo.InvariantCulture),
                F(m.Accuracy), F(m.Precision), F(m.Recall), F(m.F1), F(m.Mcc), F(m.Auc),
                string.Create(CultureInfo.InvariantCulture, $"{m.FalsePositiveRate:P2} ({m.HamBlocked}/{m.Ham})"),
                string.Create(CultureInfo.InvariantCulture, $"{m.SpamCaught}/{m.Spam}"));
        }

        AnsiConsole.Write(table);
    }

    private static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
