using System.Text.Json;
using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary><c>spamguard bench</c> in process, through the real CLI.</summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Bench_json_reports_the_in_process_cost_per_comment()
    {
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var result = await SpamGuardCli.RunAsync("bench", "--model", TinyModel.ZipPath, "--data", data, "--runs", "1", "--json");

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.Single(result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var root = json.RootElement;
        Assert.Equal(FixtureCorpus.Examples.Count, root.GetProperty("comments").GetInt32());
        Assert.Equal(1, root.GetProperty("runs").GetInt32());
        Assert.Equal(TinyModel.ModelVersion, root.GetProperty("model_version").GetString());
        var inProcess = root.GetProperty("in_process");
        Assert.True(inProcess.GetProperty("median_us_per_comment").GetDouble() > 0, result.StdOut);
        Assert.True(inProcess.GetProperty("comments_per_second_one_thread").GetDouble() > 0, result.StdOut);
        Assert.True(inProcess.GetProperty("p99_us").GetDouble() >= inProcess.GetProperty("median_us_per_comment").GetDouble(), result.StdOut);
    }

    [Fact]
    public async Task Bench_against_a_port_with_no_server_exits_3_without_figures()
    {
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var (port, _) = LoopbackPorts.FreePair();
        var result = await SpamGuardCli.RunAsync("bench", "--server", $"http://127.0.0.1:{port}", "--data", data, "--runs", "1", "--requests", "50", "--json");

        Assert.True(result.ExitCode == SpamGuardCli.ServerError, result.ToString());
        Assert.StartsWith("error: ", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", result.StdOut, StringComparison.Ordinal);
        Assert.True(string.IsNullOrWhiteSpace(result.StdOut), result.ToString());
    }
}
