namespace SpamGuard.Testing;

/// <summary>Files of the repository this test assembly was built from (the bundled models, the Node.js client), found
/// by walking up from the assembly to <c>SpamGuard.sln</c>, so tests run from any output directory.</summary>
public static class RepositoryFiles
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The path of <paramref name="parts"/> below the repository root.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root.Value, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SpamGuard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (SpamGuard.sln) is not above the test assembly.");
    }
}
