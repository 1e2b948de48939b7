using System.Text.Json;
using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary><c>spamguard bench</c> through the real CLI: in process, and with --loopback against the real server binary
/// it starts (gRPC over 127.0.0.1 sockets), in the embedded default and in Redis mode on a real redis-server.</summary>
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

    private static readonly TimeSpan LoopbackTimeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task Bench_loopback_reports_checks_against_the_no_op_method_with_server_bytes_per_call()
    {
        // Arrange
        var data = FixtureCorpus.WriteJsonl(_directory.Path);

        // Act
        var result = await SpamGuardCli.RunAsync(LoopbackTimeout, "bench", "--loopback", "--model", TinyModel.ZipPath, "--data", data,
            "--runs", "2", "--requests", "60", "--concurrency", "4", "--json");

        // Assert
        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        var root = AssertLoopbackFigures(result, "embedded");
        Assert.Equal(2, root.GetProperty("runs").GetInt32());
    }

    [Fact]
    public async Task Bench_loopback_in_redis_mode_runs_the_server_on_that_redis()
    {
        // Arrange
        await using var redis = await RedisServerProcess.StartAsync();
        var data = FixtureCorpus.WriteJsonl(_directory.Path);

        // Act
        var result = await SpamGuardCli.RunAsync(LoopbackTimeout, "bench", "--loopback", "--redis", redis.Endpoint, "--model", TinyModel.ZipPath,
            "--data", data, "--runs", "1", "--requests", "60", "--concurrency", "4", "--json");

        // Assert
        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        var check = AssertLoopbackFigures(result, "redis").GetProperty("check");
        // How many missed Redis's command timeout depends on the host's load, so only the count's range is certain.
        Assert.InRange(check.GetProperty("without_reputation").GetDouble(), 0, 60);
        // The checks went through this Redis: it now holds their state.
        Assert.NotEqual("0", (await redis.CliAsync("DBSIZE")).Trim());
    }

    [Fact]
    public async Task Bench_redis_without_loopback_is_refused_as_bad_input()
    {
        var data = FixtureCorpus.WriteJsonl(_directory.Path);
        var result = await SpamGuardCli.RunAsync("bench", "--redis", "127.0.0.1:1", "--data", data, "--json");

        Assert.True(result.ExitCode == SpamGuardCli.BadInput, result.ToString());
        Assert.Contains("--loopback", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>Both methods answered every call, and the figures agree with each other.</summary>
    private static JsonElement AssertLoopbackFigures(ProcessResult result, string mode)
    {
        Assert.Single(result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var root = JsonDocument.Parse(result.StdOut).RootElement.Clone();
        Assert.Equal(mode, root.GetProperty("mode").GetString());
        var check = root.GetProperty("check");
        var noOp = root.GetProperty("noop");
        foreach (var target in new[] { check, noOp })
        {
            Assert.Equal(0, target.GetProperty("failed").GetDouble());
            Assert.Equal(60, target.GetProperty("requests_per_run").GetDouble());
            Assert.True(target.GetProperty("median_requests_per_second").GetDouble() > 0, result.StdOut);
            Assert.True(target.GetProperty("p50_ms").GetDouble() > 0, result.StdOut);
            Assert.True(target.GetProperty("p99_ms").GetDouble() >= target.GetProperty("p50_ms").GetDouble(), result.StdOut);
            Assert.True(target.GetProperty("server_bytes_allocated_per_call").GetDouble() > 0, result.StdOut);
            Assert.True(target.GetProperty("server_cpu_us_per_call").GetDouble() >= 0, result.StdOut);
        }

        var ratio = check.GetProperty("median_requests_per_second").GetDouble() / noOp.GetProperty("median_requests_per_second").GetDouble();
        Assert.Equal(ratio, root.GetProperty("check_to_noop_throughput_ratio").GetDouble(), 9);
        var p99Ratio = check.GetProperty("p99_ms").GetDouble() / noOp.GetProperty("p99_ms").GetDouble();
        Assert.Equal(p99Ratio, root.GetProperty("check_to_noop_p99_ratio").GetDouble(), 9);
        // A check scores, explains and records a comment; the no-op only parses it: it cannot allocate less.
        Assert.True(check.GetProperty("server_bytes_allocated_per_call").GetDouble() > noOp.GetProperty("server_bytes_allocated_per_call").GetDouble(), result.StdOut);
        Assert.False(noOp.TryGetProperty("without_reputation", out _), result.StdOut);
        return root;
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
