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
