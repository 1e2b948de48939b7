namespace SpamGuard.Testing;

/// <summary>
/// Runs a Node.js project of the repository's tests (e.g. tests/akismet-client, a real npm client) with a deadline.
/// Its packages come from its package-lock.json: `.ci/run` installs them with `npm ci`, and a run on a machine that
/// has not yet done so installs them first, so the README's one test command is enough.
/// </summary>
public static class NodeScript
{
    private static readonly TimeSpan InstallDeadline = TimeSpan.FromMinutes(3);
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>The directory <c>tests/&lt;name&gt;</c> of the repository this test assembly was built from.</summary>
    public static string ProjectDirectory(string name) => RepositoryFiles.PathOf("tests", name);

    /// <summary>Runs <c>node script</c> in <paramref name="projectDirectory"/>; returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string projectDirectory, string script, IReadOnlyDictionary<string, string> environment, TimeSpan deadline) =>
        RunAsync(projectDirectory, script, [], environment, deadline, projectDirectory);

    /// <summary>Runs <c>node script arguments…</c> in <paramref name="workingDirectory"/>, with the packages of
    /// <paramref name="projectDirectory"/> installed first (e.g. a package's bin script under node_modules).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string projectDirectory, string script, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan deadline, string workingDirectory)
    {
        await EnsureInstalledAsync(projectDirectory);
        return await RunProcessAsync("node", [script, .. arguments], workingDirectory, environment, deadline);
    }

    private static async Task EnsureInstalledAsync(string projectDirectory)
    {
        await Installing.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(projectDirectory, "node_modules")))
            {
                return;
            }

            var (exit, stdout, stderr) = await RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund"], projectDirectory, new Dictionary<string, string>(), InstallDeadline);
            if (exit != 0)
            {
                throw new InvalidOperationException($"npm ci failed in {projectDirectory} ({exit}): {stdout}{stderr}");
            }
        }
        finally
        {
            Installing.Release();
        }
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunProcessAsync(
        string program, string[] arguments, string directory, IReadOnlyDictionary<string, string> environment, TimeSpan deadline) =>
        ClientProcess.RunAsync(program, arguments, directory, environment, deadline,
            "the npm client tests need Node.js and npm: apt-get install -y nodejs npm");
}
