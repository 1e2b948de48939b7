using System.Text.Json;
using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary>One <c>spamguard train</c> run on the fixture corpus, shared by the tests that only inspect its output.</summary>
public sealed class CliTrainRun : IAsyncLifetime, IDisposable
{
    public const string Seed = "7";

    private readonly TempDirectory _directory = new();

    public string DataPath { get; private set; } = "";

    public string OutDirectory => _directory.File("out");

    public ProcessResult Result { get; private set; } = null!;

    public string ZipPath => Path.Combine(OutDirectory, "tiny-9.9.9.zip");

    public string CardPath => Path.Combine(OutDirectory, "tiny-9.9.9.json");

    public static string[] Args(string data, string outDirectory) =>
        ["--data", data, "--out", outDirectory, "--seed", Seed, "--name", "tiny", "--version", "9.9.9"];

    public async Task InitializeAsync()
    {
        DataPath = FixtureCorpus.WriteJsonl(_directory.Path);
        Result = await SpamGuardCli.TrainAsync(Args(DataPath, OutDirectory));
    }

    public JsonDocument ReadCard() => JsonDocument.Parse(File.ReadAllText(CardPath));

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _directory.Dispose();
}

/// <summary><c>spamguard train</c> through the real process: files, card provenance, output, determinism, CSV input.</summary>
public sealed class TrainCommandTests(CliTrainRun run) : IClassFixture<CliTrainRun>
{
    [Fact]
    public void Train_exits_zero_and_writes_zip_card_and_markdown()
    {
        Assert.True(run.Result.ExitCode == SpamGuardCli.Ok, run.Result.ToString());
        Assert.True(File.Exists(run.ZipPath), run.Result.ToString());
        Assert.True(File.Exists(run.CardPath), run.Result.ToString());
        Assert.True(File.Exists(Path.Combine(run.OutDirectory, "tiny-9.9.9.md")), run.Result.ToString());
        Assert.True(new FileInfo(run.ZipPath).Length > 0);
        Assert.Empty(Directory.GetFiles(run.OutDirectory, "*.tmp"));
    }

    [Fact]
    public void Train_card_records_seed_data_hash_and_command()
    {
        Assert.True(run.Result.ExitCode == SpamGuardCli.Ok, run.Result.ToString());
        using var card = run.ReadCard();
        var root = card.RootElement;
        Assert.Equal("tiny", root.GetProperty("name").GetString());
        Assert.Equal("9.9.9", root.GetProperty("version").GetString());
        Assert.Equal(7, root.GetProperty("seed").GetInt32());

        var data = Assert.Single(root.GetProperty("data").EnumerateArray());
        Assert.Equal(TestData.Sha256Of(run.DataPath), data.GetProperty("sha256").GetString());
        Assert.Equal(FixtureCorpus.Examples.Count, data.GetProperty("rows").GetInt32());
        Assert.Equal(FixtureCorpus.Spam.Count(), data.GetProperty("spam").GetInt32());
        Assert.Equal(FixtureCorpus.Ham.Count(), data.GetProperty("ham").GetInt32());

        var command = root.GetProperty("command").GetString()!;
        Assert.StartsWith("spamguard train", command, StringComparison.Ordinal);
        Assert.Contains("--seed 7", command, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_prints_the_thresholds_and_validation_metrics()
    {
        Assert.True(run.Result.ExitCode == SpamGuardCli.Ok, run.Result.ToString());
        using var card = run.ReadCard();
        var validationRows = card.RootElement.GetProperty("split").GetProperty("validation_rows").GetInt32();
        var stdout = run.Result.StdOut;
        Assert.Contains("Thresholds: spam >=", stdout, StringComparison.Ordinal);
        Assert.Contains("Wrote", stdout, StringComparison.Ordinal);
        // The metrics table: its header and the validation row's count. (Spectre wraps cells at 80 columns when
        // stdout is not a terminal, so longer words such as "validation" are split across lines.)
        foreach (var column in new[] { "count", "f1", "mcc", "auc" })
        {
            Assert.Contains(column, stdout, StringComparison.Ordinal);
        }

        Assert.Contains($" {validationRows} ", stdout, StringComparison.Ordinal);
        // Progress goes to stderr, one line per phase when there is no terminal.
        Assert.Contains("[100%]", run.Result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_twice_with_the_same_seed_gives_identical_thresholds_and_calibration()
    {
        Assert.True(run.Result.ExitCode == SpamGuardCli.Ok, run.Result.ToString());
        using var directory = new TempDirectory();
        var again = await SpamGuardCli.TrainAsync(CliTrainRun.Args(run.DataPath, directory.Path));
        Assert.True(again.ExitCode == SpamGuardCli.Ok, again.ToString());

        using var first = run.ReadCard();
        using var second = JsonDocument.Parse(File.ReadAllText(directory.File("tiny-9.9.9.json")));
        foreach (var section in new[] { "thresholds", "calibration", "split", "validation" })
        {
            // Raw JSON text: the numbers must be bit-for-bit the same, not merely close.
            Assert.Equal(first.RootElement.GetProperty(section).GetRawText(), second.RootElement.GetProperty(section).GetRawText());
        }

        Assert.Equal(first.RootElement.GetProperty("feature_count").GetInt32(), second.RootElement.GetProperty("feature_count").GetInt32());
    }

    [Fact]
    public async Task Train_reads_csv_with_a_quoted_multi_line_field()
    {
        using var directory = new TempDirectory();
        var csv = TestData.WriteCsv(directory.Path);
        var result = await SpamGuardCli.TrainAsync("--data", csv, "--out", directory.File("out"), "--seed", "7", "--name", "csv", "--version", "1.0.0");

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        Assert.True(File.Exists(directory.File("out/csv-1.0.0.zip")), result.ToString());
        using var card = JsonDocument.Parse(File.ReadAllText(directory.File("out/csv-1.0.0.json")));
        var data = Assert.Single(card.RootElement.GetProperty("data").EnumerateArray());
        // Every fixture row plus the one multi-line row: the newline inside quotes did not start a record.
        Assert.Equal(FixtureCorpus.Examples.Count + 1, data.GetProperty("rows").GetInt32());
        Assert.Equal(FixtureCorpus.Spam.Count(), data.GetProperty("spam").GetInt32());
        Assert.Equal(FixtureCorpus.Ham.Count() + 1, data.GetProperty("ham").GetInt32());
        Assert.Equal(TestData.Sha256Of(csv), data.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task Train_rejects_an_unknown_weighting()
    {
        using var directory = new TempDirectory();
        var data = FixtureCorpus.WriteJsonl(directory.Path);
        var result = await SpamGuardCli.TrainAsync("--data", data, "--out", directory.File("out"), "--weighting", "tf-idf");

        Assert.True(result.ExitCode == SpamGuardCli.BadInput, result.ToString());
        Assert.Contains("weighting", result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(directory.File("out/spamguard-1.0.0.json")), "a model was written whose card misstates how it was trained");
    }

    [Fact]
    public async Task Train_records_class_balancing_in_the_card()
    {
        using var directory = new TempDirectory();
        var data = FixtureCorpus.WriteJsonl(directory.Path);
        var result = await SpamGuardCli.TrainAsync("--data", data, "--out", directory.File("out"), "--seed", "7", "--name", "opts", "--version", "1.0.0", "--balance");

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        using var card = JsonDocument.Parse(File.ReadAllText(directory.File("out/opts-1.0.0.json")));
        var trainer = card.RootElement.GetProperty("trainer");
        Assert.Equal("true", trainer.GetProperty("parameters").GetProperty("balance_classes").GetString());
        Assert.Contains("equal total weight", trainer.GetProperty("features").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_records_the_hinge_loss_trainer_and_its_lambda_in_the_card()
    {
        using var directory = new TempDirectory();
        var data = FixtureCorpus.WriteJsonl(directory.Path);
        var result = await SpamGuardCli.TrainAsync("--data", data, "--out", directory.File("out"), "--seed", "7", "--name", "svm", "--version", "1.0.0",
            "--trainer", "svm", "--l2", "0.0001");

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        using var card = JsonDocument.Parse(File.ReadAllText(directory.File("out/svm-1.0.0.json")));
        var trainer = card.RootElement.GetProperty("trainer");
        Assert.Contains("LinearSvm", trainer.GetProperty("algorithm").GetString(), StringComparison.Ordinal);
        Assert.Equal("0.0001", trainer.GetProperty("parameters").GetProperty("l2_regularization").GetString());
    }

    [Theory]
    [InlineData("--l2", "0")]
    [InlineData("--l1", "0.001")]
    [InlineData("--balance", null)]
    public async Task Train_svm_without_lambda_with_l1_or_balanced_is_refused(string option, string? value)
    {
        using var directory = new TempDirectory();
        var data = FixtureCorpus.WriteJsonl(directory.Path);
        string[] extra = value is null ? [option] : [option, value];
        var result = await SpamGuardCli.TrainAsync(["--data", data, "--out", directory.File("out"), "--trainer", "svm", .. extra]);

        Assert.True(result.ExitCode == SpamGuardCli.BadInput, result.ToString());
        Assert.Contains("--trainer svm", result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(directory.File("out/spamguard-1.0.0.json")), "a model was written whose card misstates how it was trained");
    }

    [Fact]
    public async Task Train_rejects_an_unknown_trainer()
    {
        using var directory = new TempDirectory();
        var data = FixtureCorpus.WriteJsonl(directory.Path);
        var result = await SpamGuardCli.TrainAsync("--data", data, "--out", directory.File("out"), "--trainer", "hinge");

        Assert.True(result.ExitCode == SpamGuardCli.BadInput, result.ToString());
        Assert.Contains("hinge", result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(directory.File("out/spamguard-1.0.0.json")), "a model was written whose card misstates how it was trained");
    }

    [Fact]
    public async Task Train_held_out_sources_reports_each_held_out_source_and_the_mean()
    {
        using var directory = new TempDirectory();
        // The fixture corpus spread over three sources of one file, as the videos of the YouTube corpus are.
        var data = directory.File("sites.jsonl");
        string[] sites = ["site-a", "site-b", "site-c"];
        File.WriteAllLines(data, FixtureCorpus.Examples.Select((e, i) => JsonSerializer.Serialize(new
        {
            id = e.Id,
            source = sites[i % sites.Length],
            author = e.Author,
            date = (string?)null,
            content = e.Content,
            label = e.IsSpam ? "spam" : "ham",
        })));

        var result = await SpamGuardCli.TrainAsync("--data", data, "--out", directory.File("out"), "--held-out", "sources", "--name", "tiny", "--version", "1.0.0");
        var refused = await SpamGuardCli.TrainAsync("--data", data, "--out", directory.File("out2"), "--held-out", "videos");

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        // Spectre wraps the table's cells at 80 columns when stdout is not a terminal: read the line, then the card.
        var text = string.Join(' ', result.StdOut.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Leave-one-source-out", text, StringComparison.Ordinal);
        Assert.Contains("mean over 3 held-out sources: f1", text, StringComparison.Ordinal);
        using var card = JsonDocument.Parse(File.ReadAllText(directory.File("out/tiny-1.0.0.json")));
        Assert.Equal("sources", card.RootElement.GetProperty("trainer").GetProperty("parameters").GetProperty("held_out").GetString());
        var perSource = card.RootElement.GetProperty("cross_validation").GetProperty("per_source");
        Assert.Equal(sites, perSource.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.True(refused.ExitCode == SpamGuardCli.BadInput, refused.ToString());
    }
}
