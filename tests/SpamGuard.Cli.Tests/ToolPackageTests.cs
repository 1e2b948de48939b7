using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary>
/// <c>spamguard</c> as a dotnet tool, the way docs/cli.md installs it: <c>dotnet pack</c> into a folder, then
/// <c>dotnet tool install --tool-path … --add-source …</c>, then the installed command run as a real process.
/// </summary>
[Collection(SdkCommands.Name)]
public sealed class ToolPackageTests
{
    private static readonly TimeSpan SdkDeadline = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task PackedTool_InstalledIntoAToolPath_RunsAsSpamguard_WithTheRepositorysVersionAndBundledModels()
    {
        // Arrange: the tool package of the CLI this test was built with (same configuration, no second build).
        using var temp = new TempDirectory();
        var packages = temp.File("packages");
        var tools = temp.File("tools");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var version = typeof(SpamGuard.Cli.Commands.AdminCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

        // Act
        var pack = await ChildProcess.RunProgramAsync(ChildProcess.DotnetHost,
            ["pack", RepositoryFiles.PathOf("src", "SpamGuard.Cli", "SpamGuard.Cli.csproj"), "--no-build", "-c", configuration, "-o", packages],
            SdkDeadline, temp.Path);
        var install = await ChildProcess.RunProgramAsync(ChildProcess.DotnetHost,
            ["tool", "install", "SpamGuard.Cli", "--version", version, "--tool-path", tools, "--add-source", packages],
            SdkDeadline, temp.Path);
        var help = await ChildProcess.RunProgramAsync(Path.Combine(tools, "spamguard"), ["--help"], SpamGuardCli.DefaultTimeout, temp.Path);
        var versionOutput = await ChildProcess.RunProgramAsync(Path.Combine(tools, "spamguard"), ["--version"], SpamGuardCli.DefaultTimeout, temp.Path);
        await File.WriteAllLinesAsync(temp.File("labelled.jsonl"),
        [
            """{"content":"WINNER!! Claim your free prize now, call 09061701461","label":"spam"}""",
            """{"content":"Thanks, the part about caching helped me a lot.","label":"ham"}""",
        ]);
        var evaluate = await ChildProcess.RunProgramAsync(Path.Combine(tools, "spamguard"), ["evaluate", "--data", temp.File("labelled.jsonl"), "--json"], SpamGuardCli.DefaultTimeout, temp.Path);

        // Assert
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var package = Path.Combine(packages, $"SpamGuard.Cli.{version}.nupkg");
        Assert.True(File.Exists(package), string.Join(", ", Directory.EnumerateFiles(packages)));
        using (var zip = ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains($"tools/net10.0/any/spamguard.dll", entries);
            // The default Model:Path of `evaluate` and `bench` is the bundled model next to the binary.
            Assert.Contains(entries, e => e.StartsWith("tools/net10.0/any/models/spamguard-", StringComparison.Ordinal) && e.EndsWith(".zip", StringComparison.Ordinal));
        }

        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("spamguard [command] [options]", help.StdOut, StringComparison.Ordinal);
        Assert.Contains("check", help.StdOut, StringComparison.Ordinal);
        Assert.StartsWith(version, versionOutput.StdOut.Trim(), StringComparison.Ordinal);
        // Without --model, evaluate loads the bundled model from beside the installed binary.
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        using var metrics = JsonDocument.Parse(evaluate.StdOut);
        Assert.Equal(2, metrics.RootElement.GetProperty("count").GetInt32());
        Assert.StartsWith("spamguard-", metrics.RootElement.GetProperty("model_version").GetString(), StringComparison.Ordinal);
    }
}
