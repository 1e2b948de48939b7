using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Contracts.V1;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary>
/// README's quick start (each fenced block after a <c>&lt;!-- quickstart --&gt;</c> marker) run as written from the
/// repository root: the server command is started, answers a real HTTP and gRPC request, and is stopped. The test
/// command is not run again from inside the tests; it must be exactly the one .ci/run runs.
/// </summary>
[Collection(SdkCommands.Name)]
public sealed partial class ReadmeQuickStartTests
{
    /// <summary><c>dotnet run</c> checks the build first; on a loaded CI machine that and the start take a while.</summary>
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(3);

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void QuickStart_TestCommand_IsExactlyWhatCiRuns()
    {
        var test = Assert.Single(QuickStartCommands(), c => c.StartsWith("dotnet test", StringComparison.Ordinal));

        var ciTestLines = File.ReadAllLines(RepositoryFiles.PathOf(".ci", "run"))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("dotnet test", StringComparison.Ordinal))
            .ToList();

        // .ci/run pipes the output on to count results; the command itself must be the README's, word for word.
        var ciTest = Assert.Single(ciTestLines);
        Assert.Equal(test, ciTest.Split(" 2>&1", 2)[0]);
    }

    [Fact]
    public async Task QuickStart_ServerCommand_AsWritten_ServesHttpAndGrpc_WithStateInTheDefaultDataRoot()
    {
        // Arrange: the command exactly as README writes it; only the environment says which ports and where home is,
        // so the test neither collides with a server on 50051/8080 nor writes to the real ~/.local/share.
        var command = Assert.Single(QuickStartCommands(), c => !c.StartsWith("dotnet test", StringComparison.Ordinal));
        Assert.StartsWith("dotnet run --project ", command, StringComparison.Ordinal);
        Assert.DoesNotMatch("[\"'$`|;&<>]", command); // plain words: splitting on spaces is what a shell would do
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        using var home = new TempDirectory();
        var (grpcPort, httpPort) = LoopbackPorts.FreePair();
        var environment = new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{httpPort}",
            ["XDG_DATA_HOME"] = home.Path,
        };

        // Act
        using var server = ChildProcess.StartProgram(words[0] == "dotnet" ? ChildProcess.DotnetHost : words[0], words[1..], RepositoryFiles.PathOf(), environment);
        JsonElement health;
        CheckCommentResponse check;
        try
        {
            health = await WaitUntilHealthyAsync(server, $"http://127.0.0.1:{httpPort}");
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
            check = await new CommentFilter.CommentFilterClient(channel).CheckCommentAsync(
                new CheckCommentRequest { Site = "https://blog.example/", Content = "WINNER!! Claim your free prize now, call 09061701461" },
                deadline: DateTime.UtcNow.Add(CallTimeout));
        }
        finally
        {
            server.Kill();
        }

        // Assert: the bundled model answers, and state went to the documented default root, not the repository.
        var bundled = health.GetProperty("model_version").GetString();
        Assert.StartsWith("spamguard-", bundled, StringComparison.Ordinal);
        Assert.Equal(bundled, check.ModelVersion);
        Assert.NotEqual(Verdict.Unspecified, check.Verdict);
        Assert.True(File.Exists(Path.Combine(home.Path, "spamguard", "pseudonym-secret.key")), server.StdErr);
    }

    /// <summary>The commands of every quick-start block, comments and blank lines dropped.</summary>
    private static List<string> QuickStartCommands()
    {
        var readme = File.ReadAllText(RepositoryFiles.PathOf("README.md"));
        var blocks = QuickStartBlock().Matches(readme);
        Assert.NotEmpty(blocks);
        return blocks
            .SelectMany(b => b.Groups["body"].Value.Split('\n'))
            .Select(line => TrailingComment().Replace(line, "").Trim())
            .Where(line => line.Length > 0)
            .ToList();
    }

    private static async Task<JsonElement> WaitUntilHealthyAsync(ChildProcess server, string httpAddress)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartDeadline)
        {
            Assert.False(server.HasExited, $"The quick-start server exited.\n--- stdout ---\n{server.StdOut}\n--- stderr ---\n{server.StdErr}");
            try
            {
                using var response = await http.GetAsync(new Uri($"{httpAddress}/healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Still building or starting.
            }

            await Task.Delay(500);
        }

        Assert.Fail($"The quick-start server was not healthy within {StartDeadline.TotalMinutes:0} min.\n--- stdout ---\n{server.StdOut}\n--- stderr ---\n{server.StdErr}");
        return default;
    }

    [GeneratedRegex(@"<!-- quickstart -->\s*```\w*\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();

    [GeneratedRegex(@"\s+#.*$")]
    private static partial Regex TrailingComment();
}
