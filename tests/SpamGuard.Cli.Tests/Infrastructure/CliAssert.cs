namespace SpamGuard.Cli.Tests.Infrastructure;

/// <summary>Assertions on how the CLI fails, shared by the test classes that provoke failures.</summary>
public static class CliAssert
{
    /// <summary>Exit code 2, one "error: " line naming every fragment, no stack trace, nothing on stdout.</summary>
    public static void BadInput(ProcessResult result, params string[] fragments)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(fragments);
        Assert.True(result.ExitCode == SpamGuardCli.BadInput, result.ToString());
        Assert.StartsWith("error: ", result.StdErr, StringComparison.Ordinal);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, result.StdErr, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StdErr, StringComparison.Ordinal);
        Assert.True(string.IsNullOrWhiteSpace(result.StdOut), result.ToString());
    }
}
