using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SpamGuard.Core;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;
using SpamGuard.Testing;

namespace SpamGuard.Redis.Tests;

/// <summary>
/// Erasure in Redis mode, wired as the server wires it, against a real redis-server with the append-only file on:
/// the erased person's pseudonyms are in the files on disk before, and gone once the rewrite the erasure started has
/// finished, while another person's data is still there.
/// </summary>
public sealed class RedisAppendOnlyRewriteTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly Uri Site = new("https://blog.example/");
    private const string Victim = "victim.person@mail.example";
    private const string Other = "someone.else@mail.example";

    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-erasure-aof-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Erase_WithAppendOnlyFile_RewritesIt_SoTheErasedPseudonymsLeaveTheDisk()
    {
        // Arrange: every write on disk at once, a plain-text rewrite (no RDB preamble, no compression) so that a
        // pseudonym still present would be found by a byte search.
        await using var server = await RedisServerProcess.StartAsync(
            "--appendonly", "yes", "--appendfsync", "always", "--aof-use-rdb-preamble", "no", "--rdbcompression", "no");
        await using var services = Services(server);
        var pseudonyms = services.GetRequiredService<Pseudonymizer>();
        var victim = pseudonyms.Email(Victim);
        var other = pseudonyms.Email(Other);
        await CheckAndReportAsync(services, Victim, IPAddress.Parse("198.51.100.23"));
        await CheckAndReportAsync(services, Other, IPAddress.Parse("198.51.100.77"));
        var before = DiskText(server);
        Assert.Contains(victim, before, StringComparison.Ordinal);
        Assert.Contains(other, before, StringComparison.Ordinal);

        // Act
        var result = await services.GetRequiredService<ErasureService>()
            .EraseAsync(new ErasureRequest(Victim, null, null), CancellationToken.None).WaitAsync(Deadline);

        // Assert: the result says what was started and what is left to the operator...
        Assert.True(result.ReputationEntries > 0 && result.CheckRecords == 1 && result.LabelledExamples == 1, result.ToString());
        Assert.True(result.DiskCopies.Rewriting, result.DiskCopies.Note);
        Assert.Contains("BGREWRITEAOF", result.DiskCopies.Note, StringComparison.Ordinal);
        Assert.Contains("RDB snapshots", result.DiskCopies.Note, StringComparison.Ordinal);

        // ...and once Redis has finished the rewrite (and removed the old files), nothing of the victim is on disk.
        await WaitUntilAsync(async () =>
        {
            var info = await server.CliAsync("INFO", "persistence");
            return info.Contains("aof_rewrite_in_progress:0", StringComparison.Ordinal)
                   && info.Contains("aof_rewrite_scheduled:0", StringComparison.Ordinal)
                   && !DiskText(server).Contains(victim, StringComparison.Ordinal);
        });
        var after = DiskText(server);
        Assert.DoesNotContain(victim, after, StringComparison.Ordinal);
        Assert.Contains(other, after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erase_WithoutAppendOnlyFile_SaysThereIsNoneToRewrite()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var services = Services(server);
        await CheckAndReportAsync(services, Victim, IPAddress.Parse("198.51.100.23"));

        var result = await services.GetRequiredService<ErasureService>()
            .EraseAsync(new ErasureRequest(Victim, null, null), CancellationToken.None).WaitAsync(Deadline);

        Assert.False(result.DiskCopies.Rewriting);
        Assert.Contains("appendonly no", result.DiskCopies.Note, StringComparison.Ordinal);
        Assert.Contains(server.Endpoint, result.DiskCopies.Note, StringComparison.Ordinal);
    }

    private ServiceProvider Services(RedisServerProcess server) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = server.Endpoint,
                // appendfsync always makes every write wait for an fsync, which takes most of a second on a busy shared
                // disk: the timeouts are the test's deadline here, not what is being tested.
                ["Redis:Resilience:TimeoutMilliseconds"] = "10000",
                ["Redis:CommandTimeoutMilliseconds"] = "10000",
                ["Feedback:DataDirectory"] = _dir,
                ["Privacy:PseudonymSecret"] = Convert.ToBase64String(new byte[32]),
            }).Build())
            .AddLogging()
            .AddSingleton<ISpamClassifier>(new ConstantClassifier())
            .AddSpamGuardRedis(enabled: true)
            .AddSpamGuardCore()
            .BuildServiceProvider();

    private static async Task CheckAndReportAsync(ServiceProvider services, string email, IPAddress ip)
    {
        var comment = new Comment { Site = Site, UserIp = ip, AuthorEmail = email, Content = "buy cheap things at my shop" };
        var check = await services.GetRequiredService<CommentCheckService>().CheckAsync(comment, CancellationToken.None).WaitAsync(Deadline);
        Assert.True(check.Explanation.ReputationAvailable);
        var report = await services.GetRequiredService<FeedbackService>()
            .ReportAsync(new FeedbackReport(ReportLabel.Spam, Site.ToString(), check.CheckId, null), CancellationToken.None).WaitAsync(Deadline);
        Assert.Equal(FeedbackOutcome.Recorded, report.Outcome);
    }

    /// <summary>Every file Redis keeps in its directory (the append-only files and any dump), as one string.</summary>
    private static string DiskText(RedisServerProcess server) =>
        string.Concat(Directory.EnumerateFiles(server.Directory, "*", SearchOption.AllDirectories)
            .Select(path => Encoding.Latin1.GetString(File.ReadAllBytes(path))));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not hold within 30 s");
            await Task.Delay(100);
        }
    }

    /// <summary>A model that calls everything ham with no contributions: these tests are about the stores.</summary>
    private sealed class ConstantClassifier : ISpamClassifier, IScoringModel
    {
        public IScoringModel? Current => this;

        public string Version => "constant-test-1";

        public Thresholds Thresholds { get; } = new(0.5, 0.99);

        public ModelScore Score(CommentFeatures features, int maxContributions) => new(-2, -2, Array.Empty<Signal>());
    }
}
