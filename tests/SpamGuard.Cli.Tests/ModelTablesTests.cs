using Google.Protobuf.WellKnownTypes;
using Spectre.Console;
using SpamGuard.Cli.Commands;
using SpamGuard.Contracts.V1;
using SpamGuard.ML.Models;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary>What the model admin commands print for people, rendered from constructed responses.</summary>
public sealed class ModelTablesTests
{
    [Fact]
    public void Retrain_result_shows_active_and_candidate_side_by_side_with_the_gate()
    {
        var last = new RetrainProgress
        {
            JobId = "job-7",
            Phase = "done",
            Percent = 100,
            Result = new RetrainResult
            {
                Candidate = new ModelInfo { Version = "spamguard-r20261129051233" },
                ActiveVersion = "spamguard-1.0.0",
                ActiveEvaluation = Evaluation(Metrics(f1: 0.9338, hamBlocked: 0.0043, spamCaught: 254), ("sms", Metrics(f1: 0.9402, hamBlocked: 0.0052, spamCaught: 110))),
                CandidateEvaluation = Evaluation(Metrics(f1: 0.9512, hamBlocked: 0.0021, spamCaught: 261), ("sms", Metrics(f1: 0.9555, hamBlocked: 0.0013, spamCaught: 112))),
                Promoted = true,
                Gate = "passed: f1 0.9512 >= 0.9338 - 0.005",
            },
        };

        var output = Render(console => ModelTables.WriteRetrainResult(console, last, joined: true));

        Assert.Contains("joined retrain job job-7", output, StringComparison.Ordinal);
        AssertRow(output, "f1", "0.9338", "0.9512");
        AssertRow(output, "ham blocked", "0.43 %", "0.21 %");
        AssertRow(output, "spam caught", "254/286", "261/286");
        AssertRow(output, "sms: f1", "0.9402", "0.9555");
        AssertRow(output, "sms: ham blocked", "0.52 %", "0.13 %");
        Assert.Contains("candidate spamguard-r20261129051233 against active spamguard-1.0.0", output, StringComparison.Ordinal);
        Assert.Contains("gate: passed: f1 0.9512 >= 0.9338 - 0.005", output, StringComparison.Ordinal);
        Assert.Contains("promoted: spamguard-r20261129051233 is now active", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Retrain_result_without_an_active_model_dashes_its_column_and_says_how_to_activate()
    {
        var last = new RetrainProgress
        {
            JobId = "job-8",
            Result = new RetrainResult
            {
                Candidate = new ModelInfo { Version = "spamguard-r1" },
                CandidateEvaluation = Evaluation(Metrics(f1: 0.8811, hamBlocked: 0.01, spamCaught: 200)),
                Gate = "stored only: auto_promote is false",
            },
        };

        var output = Render(console => ModelTables.WriteRetrainResult(console, last, joined: false));

        Assert.Contains("retrain job job-8", output, StringComparison.Ordinal);
        Assert.DoesNotContain("joined", output, StringComparison.Ordinal);
        Assert.Contains("candidate spamguard-r1 against active (none)", output, StringComparison.Ordinal);
        AssertRow(output, "f1", "–", "0.8811");
        Assert.Contains("not promoted: spamguard-r1 is stored as a candidate; `spamguard admin activate spamguard-r1`", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Models_table_marks_the_active_version_and_names_the_rollback_target()
    {
        var response = new ListModelsResponse { ActiveVersion = "spamguard-r2", PreviousVersion = "spamguard-1.0.0" };
        response.Models.Add(new ModelInfo
        {
            Version = "spamguard-r2",
            Active = true,
            CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 29, 5, 12, 33, TimeSpan.Zero)),
            Validation = Evaluation(Metrics(f1: 0.9512, hamBlocked: 0.0021, spamCaught: 261)),
            SpamThreshold = 0.7725,
            DiscardThreshold = 0.9971,
        });
        response.Models.Add(new ModelInfo { Version = "spamguard-1.0.0", SpamThreshold = 0.8, DiscardThreshold = 0.99 });

        var output = Render(console => ModelTables.WriteModels(console, response));

        AssertRow(output, "*", "spamguard-r2", "2026-11-29 05:12", "0.9512", "0.21 %", "0.7725 / 0.9971");
        AssertRow(output, "spamguard-1.0.0", "–", "–", "–", "0.8 / 0.99");
        Assert.True(output.IndexOf("spamguard-r2 ", StringComparison.Ordinal) < output.IndexOf("spamguard-1.0.0 ", StringComparison.Ordinal), output);
        Assert.Contains("active (*): spamguard-r2", output, StringComparison.Ordinal);
        Assert.Contains("previous (rollback target): spamguard-1.0.0", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Card_of_a_model_the_trainer_wrote_shows_its_data_split_thresholds_and_metrics()
    {
        // The card as `spamguard train` writes it, so the snake_case names read here are the trainer's.
        var cardJson = File.ReadAllText(ModelFiles.CardPathFor(TinyModel.ZipPath));
        var card = ModelFiles.ReadCard(TinyModel.ZipPath);
        var info = new ModelInfo { Version = card.ModelVersion, Active = true, CardJson = cardJson };

        var output = Render(console => ModelTables.WriteCard(console, info, CardSummary.Parse(cardJson)));

        Assert.Contains($"{card.ModelVersion} (active)", output, StringComparison.Ordinal);
        AssertRow(output, "seed", card.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var file in card.Data)
        {
            Assert.Contains($"{file.File}: {file.Rows} rows ({file.Spam} spam, {file.Ham} ham)", output, StringComparison.Ordinal);
        }

        Assert.Contains($"{card.Split.TrainRows} training rows, {card.Split.ValidationRows} validation rows", output, StringComparison.Ordinal);
        Assert.Contains($"spam >= {card.Thresholds.Spam:0.####}, discard >= {card.Thresholds.Discard:0.####}", output, StringComparison.Ordinal);
        AssertRow(output, "f1", $"{card.Validation.Overall.F1:0.0000}");
        AssertRow(output, "spam caught", $"{card.Validation.Overall.SpamCaught}/{card.Validation.Overall.Spam}");
        Assert.NotEmpty(card.Validation.PerSource);
        foreach (var (source, metrics) in card.Validation.PerSource)
        {
            AssertRow(output, $"{source}: f1", $"{metrics.F1:0.0000}");
        }
    }

    [Fact]
    public void Card_with_fields_missing_or_unknown_is_shown_with_dashes()
    {
        const string CardJson = """
            {
              "name": "spamguard", "version": "2.0.0", "seed": 9, "future_field": {"x": 1},
              "data": [{"file": "reports.jsonl", "rows": 120}],
              "validation": {"overall": {"count": 40, "spam": 10, "ham": 30, "f1": 0.75, "auc": "NaN", "false_positive_rate": 0.1, "spam_caught": 7}}
            }
            """;
        var info = new ModelInfo { Version = "spamguard-2.0.0", CardJson = CardJson, SpamThreshold = 0.81 };

        var output = Render(console => ModelTables.WriteCard(console, info, CardSummary.Parse(CardJson)));

        AssertRow(output, "seed", "9");
        Assert.Contains("reports.jsonl: 120 rows (? spam, ? ham)", output, StringComparison.Ordinal);
        AssertRow(output, "split", "–");
        Assert.Contains("spam >= 0.81, discard >= –", output, StringComparison.Ordinal);
        AssertRow(output, "f1", "0.7500");
        AssertRow(output, "auc", "–");
        AssertRow(output, "precision", "–");
        AssertRow(output, "ham blocked", "10.00 %");
        AssertRow(output, "spam caught", "7/10");
    }

    [Fact]
    public void Card_that_is_not_json_falls_back_to_the_servers_fields()
    {
        var info = new ModelInfo
        {
            Version = "spamguard-r3",
            CardJson = "{ truncated",
            SpamThreshold = 0.7,
            DiscardThreshold = 0.995,
            Validation = Evaluation(Metrics(f1: 0.9123, hamBlocked: 0.004, spamCaught: 250)),
        };

        var card = CardSummary.Parse(info.CardJson);
        var output = Render(console => ModelTables.WriteCard(console, info, card));

        Assert.Null(card);
        Assert.Contains("not a JSON object", output, StringComparison.Ordinal);
        Assert.Contains("spam >= 0.7, discard >= 0.995", output, StringComparison.Ordinal);
        AssertRow(output, "f1", "0.9123");
    }

    [Fact]
    public void Feedback_shows_totals_and_one_row_per_day()
    {
        var response = new FeedbackStatsResponse { Spam = 42, Ham = 17 };
        response.Days.Add(new FeedbackDay { Day = "2026-11-28", Spam = 30, Ham = 5 });
        response.Days.Add(new FeedbackDay { Day = "2026-11-29", Spam = 12, Ham = 12 });

        var output = Render(console => ModelTables.WriteFeedback(console, response));

        Assert.Contains("42 spam, 17 ham", output, StringComparison.Ordinal);
        AssertRow(output, "2026-11-28", "30", "5");
        AssertRow(output, "2026-11-29", "12", "12");
    }

    private static Metrics Metrics(double f1, double hamBlocked, int spamCaught) => new()
    {
        Rows = 1209,
        Spam = 286,
        Ham = 923,
        Accuracy = 0.97,
        Precision = 0.98,
        Recall = 0.89,
        F1 = f1,
        Mcc = 0.91,
        Auc = 0.99,
        HamBlocked = hamBlocked,
        SpamCaught = spamCaught,
    };

    private static Evaluation Evaluation(Metrics overall, params (string Source, Metrics Metrics)[] perSource)
    {
        var evaluation = new Evaluation { Overall = overall };
        foreach (var (source, metrics) in perSource)
        {
            evaluation.PerSource[source] = metrics;
        }

        return evaluation;
    }

    private static string Render(Action<IAnsiConsole> write)
    {
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        // Wide enough that no cell wraps, so each figure stays on its row.
        console.Profile.Width = 200;
        write(console);
        return output.ToString();
    }

    /// <summary>
    /// A line whose first non-empty cell is <paramref name="label"/> has the non-empty <paramref name="cells"/> in
    /// this order after it.
    /// </summary>
    private static void AssertRow(string output, string label, params string[] cells)
    {
        var line = output.Split('\n').FirstOrDefault(l => Cells(l).FirstOrDefault() == label);
        Assert.True(line is not null, $"no row '{label}' in:\n{output}");
        Assert.Equal(cells, Cells(line).Skip(1));
    }

    // Table rows separate cells with box characters; grid rows with runs of spaces.
    private static List<string> Cells(string line) =>
        [.. System.Text.RegularExpressions.Regex.Split(line, @"\s*│\s*|\s{2,}").Select(c => c.Trim()).Where(c => c.Length > 0)];
}
