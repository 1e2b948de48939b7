using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary>The server binary refuses to start on a bad model or setting: exit code 2, one clear line on stderr, no stack trace.</summary>
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
    public async Task Invalid_setting_exits_2_naming_the_setting(string argument, string key)
    {
        var (grpcPort, httpPort) = LoopbackPorts.FreePair();
        var result = await ChildProcess.RunAsync(ServerProcess.AssemblyPath,
            [.. ServerProcess.BaseArgs(grpcPort, httpPort), $"--Model:Path={TinyModel.ZipPath}", argument], ExitDeadline);

        AssertRefused(result, key);
        Assert.Contains("invalid configuration", result.StdErr, StringComparison.Ordinal);
    }

    private static async Task<ProcessResult> StartServerAsync(string modelPath)
    {
        var (grpcPort, httpPort) = LoopbackPorts.FreePair();
        return await ChildProcess.RunAsync(ServerProcess.AssemblyPath, [.. ServerProcess.BaseArgs(grpcPort, httpPort), $"--Model:Path={modelPath}"], ExitDeadline);
    }

    private static void AssertRefused(ProcessResult result, string named)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("cannot start", result.StdErr, StringComparison.Ordinal);
        Assert.Contains(named, result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StdErr, StringComparison.Ordinal);
    }
}
