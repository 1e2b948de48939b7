using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using SpamGuard.ML.Data;
using SpamGuard.ML.Evaluation;
using SpamGuard.ML.Models;

namespace SpamGuard.Cli.Commands;

/// <summary><c>spamguard evaluate</c>: scores labelled files through the serving path and prints quality metrics.</summary>
internal static class EvaluateCommand
{
    private static readonly JsonSerializerOptions CompactJson = new(ModelFiles.CardJson) { WriteIndented = false };

    public static Command Create()
    {
        var model = CliOptions.Model();
        var data = CliOptions.Data("Labelled files (JSONL or CSV, as for train).");
        var json = CliOptions.Json();
        var errors = new Option<FileInfo?>("--errors")
        {
            Description = "Write every misclassified row, with its spam probability, as JSONL for error analysis.",
        };
        var reference = new Option<bool>("--reference")
        {
            Description = "Score through ML.NET's prediction engine (the reference) instead of the compiled scorer the server uses.",
        };
        var command = new Command("evaluate", "Score labelled comments with a model and print accuracy, precision, recall, f1, mcc, auc, ham blocked, spam caught and throughput.")
        {
            model, data, json, errors, reference,
        };
        command.SetAction(result =>
        {
            try
            {
                var scorer = OfflineScorer.Load(CliOptions.ResolveModelPath(result.GetValue(model)), result.GetValue(reference));
                var (examples, _) = CorpusLoader.Load(result.GetValue(data)!);
                var (metrics, report) = Evaluate(scorer, examples, result.GetValue(errors));
                if (result.GetValue(json))
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(report, CompactJson));
                }
                else
                {
                    Console.Out.WriteLine($"model {report.ModelVersion}, spam threshold {report.SpamThreshold:0.####}");
                    ResultTables.WriteMetrics([("all", metrics)]);
                    Console.Out.WriteLine($"throughput: {report.ThroughputPerSecond:0} comments/s on one thread (featurise + score + explain)");
                }

                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is TrainingDataException or ModelLoadException)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return ExitCodes.BadInput;
            }
        });
        return command;
    }

    private static (BinaryMetrics Metrics, EvaluationReport Report) Evaluate(OfflineScorer scorer, List<TrainingExample> examples, FileInfo? errors)
    {
        var comments = examples.Select(OfflineScorer.ToComment).ToList();
        var labels = examples.Select(e => e.IsSpam).ToList();
        var probabilities = new double[comments.Count];
        var spamThreshold = 0.0;
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < comments.Count; i++)
        {
            var result = scorer.Check(comments[i]);
            probabilities[i] = result.SpamProbability;
            spamThreshold = result.Thresholds.Spam;
        }

        stopwatch.Stop();
        if (errors is not null)
        {
            var wrong = Enumerable.Range(0, examples.Count).Where(i => (probabilities[i] >= spamThreshold) != labels[i]).ToList();
            TrainingDataReader.WriteJsonl(errors.FullName, wrong.Select(i => examples[i]), wrong.Select(i => probabilities[i]).ToList());
        }

        var metrics = BinaryMetrics.Compute(probabilities, labels, spamThreshold);
        return (metrics, EvaluationReport.From(metrics, scorer.Card.ModelVersion, spamThreshold, comments.Count / stopwatch.Elapsed.TotalSeconds));
    }
}

/// <summary>The JSON of <c>evaluate --json</c>: snake_case keys, one object.</summary>
internal sealed record EvaluationReport(
    string ModelVersion,
    int Count,
    double Accuracy,
    double Precision,
    double Recall,
    double F1,
    double Mcc,
    double? Auc,
    double FalsePositiveRate,
    int SpamCaught,
    int SpamTotal,
    int HamBlocked,
    int HamTotal,
    double SpamThreshold,
    double ThroughputPerSecond)
{
    public static EvaluationReport From(BinaryMetrics m, string version, double threshold, double throughput) =>
        // AUC is undefined when the data has only one class: null in JSON rather than the string "NaN".
        new(version, m.Count, m.Accuracy, m.Precision, m.Recall, m.F1, m.Mcc, double.IsNaN(m.Auc) ? null : m.Auc, m.FalsePositiveRate,
            m.SpamCaught, m.Spam, m.HamBlocked, m.Ham, threshold, throughput);
}
