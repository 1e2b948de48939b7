using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Grpc.Core;
using Grpc.Net.Client;
using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Contracts.V1;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary>
/// The client examples of examples/ (docs/clients.md), each run as written, as a real process, against the real server
/// binary on loopback, with a site key made through the admin API: what a blog engine author copies must work.
/// </summary>
public sealed partial class ClientExampleTests(TinyModelServerFixture fixture) : IClassFixture<TinyModelServerFixture>
{
    private const string Blog = "https://blog.example/";

    private static readonly TimeSpan ExampleDeadline = TimeSpan.FromSeconds(60);

    /// <summary>npm ci and buf generate on a loaded machine.</summary>
    private static readonly TimeSpan GenerateDeadline = TimeSpan.FromMinutes(3);

    private ServerProcess Server => fixture.Server;

    [Fact]
    public async Task CSharpExample_ChecksAndReportsAComment_OverGrpc()
    {
        // Arrange
        var key = await CreateSiteKeyAsync();
        var example = ExampleAssembly();

        // Act
        var run = await ChildProcess.RunAsync(example, [Server.GrpcAddress, "Cheap pills at http://pills.example, buy now!!!"], ExampleDeadline,
            environment: new Dictionary<string, string> { ["SPAMGUARD_KEY"] = key });

        // Assert
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(VerdictLine(), run.StdOut);
        Assert.Matches(CheckIdLine(), run.StdOut);
        Assert.Contains("report: Recorded", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CSharpExample_WithoutTheKey_ExitsOneWithTheStatus_OnceKeysExist()
    {
        await CreateSiteKeyAsync();

        var run = await ChildProcess.RunAsync(ExampleAssembly(), [Server.GrpcAddress], ExampleDeadline);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("SpamGuard call failed: Unauthenticated", run.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void CSharpExample_NamesTheRepositorysPackageVersions()
    {
        // The example names versions itself so it can be copied out; they must stay those the repository builds with.
        var central = XDocument.Load(RepositoryFiles.PathOf("Directory.Packages.props"));
        var properties = central.Descendants().Where(e => e.Parent?.Name.LocalName == "PropertyGroup").ToDictionary(e => e.Name.LocalName, e => e.Value);
        var centralVersions = central.Descendants("PackageVersion").ToDictionary(
            e => e.Attribute("Include")!.Value, e => PropertyReference().Replace(e.Attribute("Version")!.Value, m => properties[m.Groups[1].Value]));
        var example = XDocument.Load(RepositoryFiles.PathOf("examples", "csharp", "SpamGuard.Examples.Client.csproj"));

        var references = example.Descendants("PackageReference").ToList();

        Assert.NotEmpty(references);
        Assert.All(references, r => Assert.Equal(centralVersions[r.Attribute("Include")!.Value], r.Attribute("Version")!.Value));
    }

    [Fact]
    public async Task JsAkismetExample_VerifiesTheKey_ChecksAndReports_WithPlainFetch()
    {
        // Arrange
        var key = await CreateSiteKeyAsync();

        // Act
        var run = await ChildProcess.RunProgramAsync("node", ["akismet-client.mjs"], ExampleDeadline, RepositoryFiles.PathOf("examples", "js-akismet"),
            new Dictionary<string, string> { ["SPAMGUARD_URL"] = Server.HttpAddress, ["SPAMGUARD_KEY"] = key, ["SPAMGUARD_BLOG"] = Blog });

        // Assert
        Assert.True(run.ExitCode == 0, run.ToString());
        var calls = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(["verify-key", "comment-check", calls[2].GetProperty("call").GetString()!], calls.Select(c => c.GetProperty("call").GetString()!));
        Assert.Equal("valid", calls[0].GetProperty("answer").GetString());
        Assert.Contains(calls[1].GetProperty("answer").GetString(), (string[])["true", "false"]);
        Assert.Matches("^[0-9a-f]{32}$", calls[1].GetProperty("guid").GetString()!);
        Assert.Equal("Thanks for making the web a better place.", calls[2].GetProperty("answer").GetString());
    }

    [Fact]
    public async Task GeneratedStubRecipe_BufGenerateWithProtocGenEs_ThenNodeCallsCheckComment()
    {
        // Arrange: the recipe of docs/clients.md, step by step: install, generate from protos/, call.
        var key = await CreateSiteKeyAsync();
        var project = RepositoryFiles.PathOf("examples", "node-grpc");
        var generated = Path.Combine(project, "gen");
        if (Directory.Exists(generated))
        {
            Directory.Delete(generated, recursive: true);
        }

        // Act
        var path = $"{Path.Combine(project, "node_modules", ".bin")}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";
        var generate = await NodeScript.RunAsync(project, Path.Combine("node_modules", "@bufbuild", "buf", "bin", "buf"),
            ["generate", Path.Combine("..", "..", "protos"), "--template", "buf.gen.yaml"], new Dictionary<string, string> { ["PATH"] = path }, GenerateDeadline, project);
        var call = await ChildProcess.RunProgramAsync("node", ["check-comment.mjs", Server.GrpcAddress, "Thanks, the part about caching helped me a lot."],
            ExampleDeadline, project, new Dictionary<string, string> { ["SPAMGUARD_KEY"] = key });

        // Assert
        Assert.True(generate.ExitCode == 0, $"buf generate: {generate.Stdout}{generate.Stderr}");
        Assert.True(File.Exists(Path.Combine(generated, "spamguard", "v1", "comment_filter_pb.js")));
        Assert.True(call.ExitCode == 0, call.ToString());
        var answer = JsonDocument.Parse(call.StdOut).RootElement;
        Assert.StartsWith("VERDICT_", answer.GetProperty("verdict").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", answer.GetProperty("checkId").GetString()!);
        Assert.Equal(TinyModel.ModelVersion, answer.GetProperty("modelVersion").GetString());
    }

    /// <summary><c>artifacts/bin/SpamGuard.Examples.Client/&lt;config&gt;/</c>, built before these tests by a build-order reference.</summary>
    private static string ExampleAssembly()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(testOutput.Parent!.Parent!.FullName, "SpamGuard.Examples.Client", testOutput.Name, "SpamGuard.Examples.Client.dll");
    }

    private async Task<string> CreateSiteKeyAsync()
    {
        using var channel = GrpcChannel.ForAddress(Server.GrpcAddress);
        var created = await new ModelAdmin.ModelAdminClient(channel).CreateSiteKeyAsync(
            new CreateSiteKeyRequest { Sites = { Blog } },
            new Metadata { { "authorization", $"Bearer {TinyModelServerFixture.AdminKey}" } },
            deadline: DateTime.UtcNow.AddSeconds(10));
        return created.Key;
    }

    [GeneratedRegex(@"^verdict: (Ham|Spam|Discard)$", RegexOptions.Multiline)]
    private static partial Regex VerdictLine();

    [GeneratedRegex(@"^check id: [0-9a-f]{32}$", RegexOptions.Multiline)]
    private static partial Regex CheckIdLine();

    [GeneratedRegex(@"\$\((\w+)\)")]
    private static partial Regex PropertyReference();
}
