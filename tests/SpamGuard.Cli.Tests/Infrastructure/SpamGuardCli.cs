namespace SpamGuard.Cli.Tests.Infrastructure;

/// <summary>Runs the real <c>spamguard</c> CLI (spamguard.dll, copied into the test output by the project reference).</summary>
public static class SpamGuardCli
{
    /// <summary>Exit codes of src/SpamGuard.Cli/Commands/ExitCodes.cs, restated so a change there is noticed here.</summary>
    public const int Ok = 0;

    public const int BadInput = 2;

    public const int ServerError = 3;

    public const int NotFound = 4;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan TrainTimeout = TimeSpan.FromSeconds(120);

    public static string AssemblyPath { get; } = Path.Combine(AppContext.BaseDirectory, "spamguard.dll");

    public static Task<ProcessResult> RunAsync(params string[] args) => RunAsync(DefaultTimeout, args);

    public static Task<ProcessResult> TrainAsync(params string[] args) => RunAsync(TrainTimeout, ["train", .. args]);

    /// <summary>Runs the CLI with extra environment variables (e.g. the admin key).</summary>
    public static async Task<ProcessResult> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        Assert.True(File.Exists(AssemblyPath), $"The CLI is not in the test output: {AssemblyPath}");
        return await ChildProcess.RunAsync(AssemblyPath, args, DefaultTimeout, environment: environment);
    }

    /// <summary>Runs the CLI with <paramref name="standardInput"/> written to its stdin.</summary>
    public static async Task<ProcessResult> RunWithInputAsync(string standardInput, params string[] args)
    {
        Assert.True(File.Exists(AssemblyPath), $"The CLI is not in the test output: {AssemblyPath}");
        return await ChildProcess.RunAsync(AssemblyPath, args, DefaultTimeout, standardInput: standardInput);
    }

    public static async Task<ProcessResult> RunAsync(TimeSpan timeout, params string[] args)
    {
        Assert.True(File.Exists(AssemblyPath), $"The CLI is not in the test output: {AssemblyPath}");
        return await ChildProcess.RunAsync(AssemblyPath, args, timeout);
    }
}
