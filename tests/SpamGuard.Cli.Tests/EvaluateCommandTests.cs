using System.Text.Json;
using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary><c>spamguard evaluate</c> through the real process, on <see cref="TinyModel"/>.</summary>
public sealed class EvaluateCommandTests : IDisposable
{
    private static readonly string[] MetricKeys =
    [
        "count", "accuracy", "precision", "recall", "f1", "mcc", "auc", "false_positive_rate", "spam_caught", "throughput_per_second",
    ];

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Evaluate_json_prints_exactly_one_snake_case_object_with_metrics_in_range()
    {
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var result = await SpamGuardCli.RunAsync("evaluate", "--model", TinyModel.ZipPath, "--data", data, "--json");

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        // JsonDocument.Parse refuses anything after the object but whitespace: nothing else is on stdout.
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.Single(result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        foreach (var key in MetricKeys)
        {
            Assert.True(root.TryGetProperty(key, out var value), $"missing '{key}' in {result.StdOut}");
            Assert.Equal(JsonValueKind.Number, value.ValueKind);
        }

        Assert.Equal(TestData.CountRows(data), root.GetProperty("count").GetInt32());
        foreach (var key in new[] { "accuracy", "precision", "recall", "f1", "auc", "false_positive_rate" })
        {
            Assert.InRange(root.GetProperty(key).GetDouble(), 0.0, 1.0);
        }

        Assert.InRange(root.GetProperty("mcc").GetDouble(), -1.0, 1.0);
        Assert.InRange(root.GetProperty("spam_caught").GetInt32(), 0, FixtureCorpus.Spam.Count());
        Assert.True(root.GetProperty("throughput_per_second").GetDouble() > 0);
        Assert.Equal(TinyModel.ModelVersion, root.GetProperty("model_version").GetString());
        // The tiny model has seen most of these rows; anything less than good means the CLI scored wrongly.
        Assert.True(root.GetProperty("f1").GetDouble() > 0.9, result.StdOut);
    }

    [Theory]
    [InlineData(".jsonl", "{\"content\":\"Buy cheap viagra now http://pills.example\",\"label\":\"spam\"}\n{\"content\":\"Thanks, a thoughtful post\",\"label\":\"ham\"}\n")]
    [InlineData(".csv", "content,label\nBuy cheap viagra now http://pills.example,spam\n\"Thanks, a thoughtful post\",ham\n")]
    public async Task Evaluate_reads_files_that_start_with_a_byte_order_mark(string extension, string text)
    {
        var data = _directory.File("bom" + extension);
        File.WriteAllText(data, text, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var result = await SpamGuardCli.RunAsync("evaluate", "--model", TinyModel.ZipPath, "--data", data, "--json");

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.Equal(2, json.RootElement.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Evaluate_json_gives_null_auc_when_the_data_has_one_class()
    {
        var data = _directory.File("ham-only.jsonl");
        File.WriteAllText(data, "{\"content\":\"Thanks, a thoughtful post\",\"label\":\"ham\"}\n");

        var result = await SpamGuardCli.RunAsync("evaluate", "--model", TinyModel.ZipPath, "--data", data, "--json");

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("auc").ValueKind);
    }

    [Fact]
    public async Task Evaluate_without_json_prints_a_readable_table()
    {
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var result = await SpamGuardCli.RunAsync("evaluate", "--model", TinyModel.ZipPath, "--data", data);

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        Assert.Contains($"model {TinyModel.ModelVersion}", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("f1", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("auc", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($" {FixtureCorpus.Examples.Count} ", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("throughput:", result.StdOut, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(result.StdOut).Dispose());
    }

    [Fact]
    public async Task Evaluate_errors_writes_exactly_the_misclassified_rows()
    {
        // Baseline: whatever the tiny model gets wrong on the true labels.
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var baselineErrors = _directory.File("baseline-errors.jsonl");
        var baseline = await SpamGuardCli.RunAsync("evaluate", "--model", TinyModel.ZipPath, "--data", data, "--json", "--errors", baselineErrors);
        Assert.True(baseline.ExitCode == SpamGuardCli.Ok, baseline.ToString());
        var baselineIds = ReadErrorRows(baselineErrors).Select(r => r.Id).ToHashSet();

        // Flipping labels turns right answers into errors (and errors into right answers).
        var flipped = new HashSet<string> { "spam-0-0", "spam-3-4", "spam-7-9", "ham-1-2", "ham-6-5" };
        var flippedData = TestData.WriteJsonlWithFlippedLabels(_directory.Path, flipped);
        var errorsPath = _directory.File("errors.jsonl");
        var result = await SpamGuardCli.RunAsync("evaluate", "--model", TinyModel.ZipPath, "--data", flippedData, "--json", "--errors", errorsPath);

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        using var json = JsonDocument.Parse(result.StdOut);
        var root = json.RootElement;
        var threshold = root.GetProperty("spam_threshold").GetDouble();
        var expectedCount = root.GetProperty("spam_total").GetInt32() - root.GetProperty("spam_caught").GetInt32()
                            + root.GetProperty("ham_blocked").GetInt32();

        var expectedIds = new HashSet<string>(baselineIds);
        expectedIds.SymmetricExceptWith(flipped);

        var rows = ReadErrorRows(errorsPath);
        Assert.Equal(expectedCount, rows.Count);
        Assert.Equal(expectedIds.Order(), rows.Select(r => r.Id).Order());
        foreach (var row in rows)
        {
            // Each row is wrong: spam scored under the threshold, or ham at or over it.
            Assert.True(row.Label == "spam" ? row.Probability < threshold : row.Probability >= threshold,
                $"{row.Id} ({row.Label}, p={row.Probability}, threshold {threshold}) is not misclassified");
        }
    }

    private static List<(string Id, string Label, double Probability)> ReadErrorRows(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        return File.ReadAllLines(path).Where(l => l.Length > 0).Select(line =>
        {
            using var row = JsonDocument.Parse(line);
            var r = row.RootElement;
            return (r.GetProperty("id").GetString()!, r.GetProperty("label").GetString()!, r.GetProperty("spam_probability").GetDouble());
        }).ToList();
    }
}
