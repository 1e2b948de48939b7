using System.Net;
using System.Net.Sockets;
using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary>The server binary refuses to start on a bad model or setting (exit code 2) or a taken port (exit code 3):
/// one clear line on stderr, no stack trace anywhere.</summary>
public sealed class ServerStartupTests : IDisposable
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Missing_model_exits_2_with_cannot_start_and_the_path()
    {
        const string missing = "/nonexistent/x-1.0.0.zip";
        var result = await StartServerAsync(missing);

        AssertRefused(result, missing);
        Assert.Contains("does not exist", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrupt_model_exits_2_with_cannot_start_and_the_path()
    {
        var corrupt = _directory.File(Path.GetFileName(TinyModel.ZipPath));
        File.Copy(Path.ChangeExtension(TinyModel.ZipPath, ".json"), Path.ChangeExtension(corrupt, ".json"));
        File.WriteAllText(corrupt, "this is not a zip archive");
        var result = await StartServerAsync(corrupt);

        AssertRefused(result, corrupt);
        Assert.Contains("corrupt", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Scoring:SpamThreshold=2", "Scoring:SpamThreshold")]
    [InlineData("--Scoring:MaxSignals=abc", "Scoring:MaxSignals")]
    [InlineData("--Scoring:Rules:AdministratorRole=0", "Scoring:Rules:AdministratorRole")]
    [InlineData("--Model:SyncSeconds=0", "Model:SyncSeconds must be at least 1 (was 0)")]
    [InlineData("--Reputation:Weights:Cap=-1", "Reputation:Weights:Cap")]
    [InlineData("--Reputation:Weights:Email=-2", "Reputation:Weights:Email")]
    [InlineData("--Privacy:OperatorName= ", "Privacy:OperatorName")]
    [InlineData("--SiteKeys:Required=maybe", "SiteKeys:Required")]
    public async Task Invalid_setting_exits_2_naming_the_setting(string argument, string key)
    {
        var (grpcPort, httpPort) = LoopbackPorts.FreePair();
        var result = await ChildProcess.RunAsync(ServerProcess.AssemblyPath,
            [.. ServerProcess.BaseArgs(grpcPort, httpPort), $"--Model:Path={TinyModel.ZipPath}", argument], ExitDeadline);

        AssertRefused(result, key);
        Assert.Contains("invalid configuration", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_invalid_settings_exit_2_naming_both_on_one_line()
    {
        var (grpcPort, httpPort) = LoopbackPorts.FreePair();
        var result = await ChildProcess.RunAsync(ServerProcess.AssemblyPath,
            [.. ServerProcess.BaseArgs(grpcPort, httpPort), $"--Model:Path={TinyModel.ZipPath}", "--Model:SyncSeconds=0", "--Reputation:Weights:Cap=-1"], ExitDeadline);

        AssertRefused(result, "Model:SyncSeconds");
        Assert.Contains("Reputation:Weights:Cap", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Port_in_use_exits_3_naming_the_address()
    {
        // Arrange: something else already listens on the gRPC port.
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var busyPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (_, httpPort) = LoopbackPorts.FreePair();

        // Act
        var result = await ChildProcess.RunAsync(ServerProcess.AssemblyPath,
            [.. ServerProcess.BaseArgs(busyPort, httpPort), $"--Model:Path={TinyModel.ZipPath}"], ExitDeadline);

        // Assert
        AssertRefused(result, $"127.0.0.1:{busyPort}", exitCode: 3);
        Assert.Contains("address already in use", result.StdErr, StringComparison.Ordinal);
    }

    private static async Task<ProcessResult> StartServerAsync(string modelPath)
    {
        var (grpcPort, httpPort) = LoopbackPorts.FreePair();
        return await ChildProcess.RunAsync(ServerProcess.AssemblyPath, [.. ServerProcess.BaseArgs(grpcPort, httpPort), $"--Model:Path={modelPath}"], ExitDeadline);
    }

    private static void AssertRefused(ProcessResult result, string named, int exitCode = 2)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        var line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("spamguard: cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
        foreach (var output in new[] { result.StdErr, result.StdOut })
        {
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        }
    }
}
