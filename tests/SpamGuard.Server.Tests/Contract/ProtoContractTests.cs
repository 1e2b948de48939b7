using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Contract;

/// <summary>
/// The public contract in protos/ stays lint-clean (buf's STANDARD rules, with the exceptions buf.yaml justifies) and
/// compatible with the last released image in protos/releases/: the real buf CLI (npm @bufbuild/buf, pinned by
/// tests/buf/package-lock.json) runs against the repository's files.
/// </summary>
public sealed class ProtoContractTests
{
    private const string ReleaseImage = "protos/releases/spamguard-v1-2026-12-05.binpb";
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Buf_lint_finds_nothing_in_protos()
    {
        var (exit, stdout, stderr) = await BufAsync(RepositoryFiles.PathOf(), "lint");

        Assert.True(exit == 0, $"buf lint exited {exit}:\n{stdout}{stderr}");
    }

    [Fact]
    public async Task Buf_breaking_finds_no_change_that_breaks_clients_of_the_last_release()
    {
        var (exit, stdout, stderr) = await BufAsync(RepositoryFiles.PathOf(), "breaking", "--against", ReleaseImage);

        Assert.True(exit == 0, $"buf breaking exited {exit}:\n{stdout}{stderr}");
    }

    [Fact]
    public async Task Buf_breaking_fails_for_a_removed_field_so_the_check_above_can_fail()
    {
        // A copy of the module with one response field deleted: the same command must refuse it.
        using var copy = new TempCopy();
        var proto = Path.Combine(copy.Root, "protos", "spamguard", "v1", "comment_filter.proto");
        var lines = File.ReadAllLines(proto).ToList();
        var field = lines.FindIndex(l => l.Contains("model_version", StringComparison.Ordinal) && l.TrimEnd().EndsWith(';'));
        Assert.True(field >= 0, "comment_filter.proto has no model_version field to remove");
        lines.RemoveAt(field);
        File.WriteAllLines(proto, lines);

        var (exit, stdout, stderr) = await BufAsync(copy.Root, "breaking", "--against", RepositoryFiles.PathOf(ReleaseImage));

        Assert.NotEqual(0, exit);
        Assert.Contains("model_version", stdout + stderr, StringComparison.Ordinal);
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> BufAsync(string workingDirectory, params string[] arguments)
    {
        var project = NodeScript.ProjectDirectory("buf");
        var buf = Path.Combine(project, "node_modules", "@bufbuild", "buf", "bin", "buf");
        return NodeScript.RunAsync(project, buf, arguments, new Dictionary<string, string> { ["BUF_CACHE_DIR"] = Path.Combine(Path.GetTempPath(), "spamguard-buf-cache") }, Deadline, workingDirectory);
    }

    /// <summary>buf.yaml and protos/ copied to a temporary directory, deleted afterwards.</summary>
    private sealed class TempCopy : IDisposable
    {
        public TempCopy()
        {
            Root = Directory.CreateTempSubdirectory("spamguard-protos-").FullName;
            File.Copy(RepositoryFiles.PathOf("buf.yaml"), Path.Combine(Root, "buf.yaml"));
            foreach (var file in Directory.EnumerateFiles(RepositoryFiles.PathOf("protos"), "*.proto", SearchOption.AllDirectories))
            {
                var target = Path.Combine(Root, Path.GetRelativePath(RepositoryFiles.PathOf(), file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        public string Root { get; }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }
}
