using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary>Bad files and bad models: one clear line on stderr, exit code 2, no stack trace, nothing on stdout.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("train")]
    [InlineData("evaluate")]
    public async Task Missing_data_file_names_the_path(string command)
    {
        var missing = _directory.File("missing.jsonl");
        var result = await RunAsync(command, missing);

        CliAssert.BadInput(result, missing, "not found");
    }

    [Fact]
    public async Task Bad_json_names_the_file_and_line()
    {
        var path = _directory.File("bad.jsonl");
        File.WriteAllLines(path,
        [
            """{"content":"fine","label":"ham"}""",
            """{"content":"also fine","label":"spam"}""",
            """{"content": not json,"label":"spam"}""",
            """{"content":"never read","label":"ham"}""",
        ]);
        var result = await RunAsync("train", path);

        CliAssert.BadInput(result, path + ":3");
    }

    [Fact]
    public async Task Unknown_label_is_named()
    {
        var path = _directory.File("labels.jsonl");
        File.WriteAllLines(path,
        [
            """{"content":"fine","label":"ham"}""",
            """{"content":"what is this","label":"maybe-spam"}""",
        ]);
        var result = await RunAsync("evaluate", path);

        CliAssert.BadInput(result, path + ":2", "'maybe-spam'");
    }

    [Fact]
    public async Task Evaluate_with_a_missing_model_names_the_path()
    {
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var missing = _directory.File("models/nothing-1.0.0.zip");
        var result = await SpamGuardCli.RunAsync("evaluate", "--model", missing, "--data", data, "--json");

        CliAssert.BadInput(result, missing, "does not exist");
    }

    [Fact]
    public async Task Evaluate_with_a_corrupt_model_zip_beside_a_valid_card_is_refused()
    {
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var corrupt = _directory.File(Path.GetFileName(TinyModel.ZipPath));
        File.Copy(Path.ChangeExtension(TinyModel.ZipPath, ".json"), Path.ChangeExtension(corrupt, ".json"));
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        File.WriteAllBytes(corrupt, garbage);

        var result = await SpamGuardCli.RunAsync("evaluate", "--model", corrupt, "--data", data, "--json");

        CliAssert.BadInput(result, corrupt, "corrupt");
    }

    [Fact]
    public async Task Unknown_option_is_a_parse_error()
    {
        var result = await SpamGuardCli.RunAsync("evaluate", "--model", TinyModel.ZipPath, "--bogus-option", "x");

        Assert.True(result.ExitCode != SpamGuardCli.Ok, result.ToString());
        Assert.Contains("--bogus-option", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_command_is_a_parse_error()
    {
        var result = await SpamGuardCli.RunAsync("frobnicate");

        Assert.True(result.ExitCode != SpamGuardCli.Ok, result.ToString());
        Assert.Contains("frobnicate", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("evaluate")]
    public async Task Empty_data_file_is_refused(string command)
    {
        var empty = _directory.File("empty.jsonl");
        File.WriteAllText(empty, "");
        var result = await RunAsync(command, empty);

        CliAssert.BadInput(result, empty, "no labelled rows");
    }

    [Theory]
    [InlineData("--word-ngrams", "0")]
    [InlineData("--char-ngrams", "-1")]
    [InlineData("--validation-fraction", "1")]
    [InlineData("--target-fpr", "0")]
    [InlineData("--target-fpr", "NaN")]
    [InlineData("--l2", "-1")]
    [InlineData("--seed", "-5")]
    public async Task Train_option_out_of_range_is_named(string option, string value)
    {
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var result = await SpamGuardCli.RunAsync("train", "--data", data, "--out", _directory.File("out"), option, value);

        CliAssert.BadInput(result, option, "must be");
    }

    [Theory]
    [InlineData("bench", "--runs", "0")]
    [InlineData("bench", "--concurrency", "0")]
    [InlineData("check", "--timeout", "0")]
    public async Task Other_option_out_of_range_is_named(string command, string option, string value)
    {
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var result = command == "bench"
            ? await SpamGuardCli.RunAsync("bench", "--model", TinyModel.ZipPath, "--data", data, option, value)
            : await SpamGuardCli.RunAsync("check", "--server", "http://127.0.0.1:9", "--content", "hi", option, value);

        CliAssert.BadInput(result, option, "must be");
    }

    [Fact]
    public async Task Errors_file_in_a_missing_directory_names_the_path()
    {
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var errors = _directory.File("no/such/dir/errors.jsonl");
        var result = await SpamGuardCli.RunAsync("evaluate", "--model", TinyModel.ZipPath, "--data", data, "--errors", errors);

        CliAssert.BadInput(result, errors);
    }

    [Fact]
    public async Task Train_out_that_is_a_file_names_the_path()
    {
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var notADirectory = _directory.File("a-file");
        File.WriteAllText(notADirectory, "x");
        var result = await SpamGuardCli.RunAsync("train", "--data", data, "--out", notADirectory);

        CliAssert.BadInput(result, notADirectory);
    }

    /// <summary>Commands that read --data fail before doing any work, so train costs nothing here.</summary>
    private Task<ProcessResult> RunAsync(string command, string data) => command == "train"
        ? SpamGuardCli.RunAsync("train", "--data", data, "--out", _directory.File("out"))
        : SpamGuardCli.RunAsync("evaluate", "--model", TinyModel.ZipPath, "--data", data, "--json");
}
