using System.Text.Json;
using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary>The model admin commands as an admin runs them: CLI processes against a server process over gRPC.</summary>
public sealed class AdminModelEndToEndTests : IAsyncLifetime, IDisposable
{
    private const string AdminKey = "cli-e2e-admin-key-long-enough-yes";
    private static readonly Dictionary<string, string> WithKey = new() { ["SPAMGUARD_ADMIN_KEY"] = AdminKey };
    private readonly TempDirectory _directory = new();
    private ServerProcess? _server;

    private ServerProcess Server => _server!;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync(TinyModel.ZipPath, $"--Admin:Key={AdminKey}",
            $"--Retraining:BaseCorpus:0={FixtureCorpus.WriteJsonl(_directory.Path)}");

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _directory.Dispose();

    // A retrain of the tiny model takes seconds; the deadline leaves room for a loaded CI machine.
    private Task<ProcessResult> AdminAsync(params string[] args) =>
        ChildProcess.RunAsync(SpamGuardCli.AssemblyPath, ["admin", .. args, "--server", Server.GrpcAddress], TimeSpan.FromSeconds(60), environment: WithKey);

    [Fact]
    public async Task Retrain_shows_progress_and_the_comparison_then_models_show_rollback_and_feedback_work()
    {
        var check = await SpamGuardCli.RunAsync("check", "--server", Server.GrpcAddress, "--content", "a zorblax comment to report", "--json");
        var checkId = JsonDocument.Parse(check.StdOut).RootElement.GetProperty("checkId").GetString()!;
        var report = await SpamGuardCli.RunAsync("report", "--spam", "--server", Server.GrpcAddress, "--site", "http://localhost/", "--check-id", checkId);

        var retrain = await AdminAsync("retrain");
        var models = await AdminAsync("models", "--json");
        var candidate = JsonDocument.Parse(models.StdOut).RootElement.GetProperty("activeVersion").GetString()!;
        var show = await AdminAsync("show", candidate);
        var rollback = await AdminAsync("rollback");
        var modelsTable = await AdminAsync("models");
        var feedback = await AdminAsync("feedback");
        var deleted = await AdminAsync("correct", checkId, "--delete");
        var feedbackAfter = await AdminAsync("feedback", "--json");

        Assert.True(report.ExitCode == SpamGuardCli.Ok, report.ToString());
        Assert.True(retrain.ExitCode == SpamGuardCli.Ok, retrain.ToString());
        Assert.Contains("calibration fold", retrain.StdOut, StringComparison.Ordinal);
        Assert.Contains("100%", retrain.StdOut, StringComparison.Ordinal);
        Assert.Contains(TinyModel.ModelVersion, retrain.StdOut, StringComparison.Ordinal);
        Assert.Contains("gate", retrain.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("tiny-r", candidate, StringComparison.Ordinal);
        Assert.True(show.ExitCode == SpamGuardCli.Ok, show.ToString());
        Assert.Contains(candidate, show.StdOut, StringComparison.Ordinal);
        Assert.Contains($"active: {TinyModel.ModelVersion} (previous: {candidate})", rollback.StdOut, StringComparison.Ordinal);
        Assert.Contains(candidate, modelsTable.StdOut, StringComparison.Ordinal);
        Assert.True(feedback.ExitCode == SpamGuardCli.Ok, feedback.ToString());
        Assert.Contains("changed: 1", deleted.StdOut, StringComparison.Ordinal);
        Assert.False(JsonDocument.Parse(feedbackAfter.StdOut).RootElement.TryGetProperty("spam", out _), feedbackAfter.StdOut);
    }
}
