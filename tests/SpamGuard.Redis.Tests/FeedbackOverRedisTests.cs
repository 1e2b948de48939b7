using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpamGuard.Core;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;
using SpamGuard.Testing;

namespace SpamGuard.Redis.Tests;

/// <summary>
/// The check and feedback services wired exactly as the server wires them in Redis mode (AddSpamGuardRedis +
/// AddSpamGuardCore), against a real redis-server that is stopped and started again.
/// </summary>
public sealed class FeedbackOverRedisTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly Uri Site = new("https://blog.example/");
    private static readonly IPAddress Ip = IPAddress.Parse("203.0.113.9");

    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-feedback-redis-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ServiceProvider Services(RedisServerProcess server, double replaySeconds = 3600) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Redis:Configuration"] = server.Endpoint,
                // Patient and never opening: these tests are about what happens to reports, not about latency.
                ["Redis:Resilience:TimeoutMilliseconds"] = "1000",
                ["Redis:Resilience:MinimumThroughput"] = "100000",
                ["Feedback:DataDirectory"] = _dir,
                ["Feedback:JournalReplaySeconds"] = replaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Privacy:PseudonymSecret"] = Convert.ToBase64String(new byte[32]),
            }).Build())
            .AddLogging()
            .AddSingleton<ISpamClassifier>(new ConstantClassifier())
            .AddSpamGuardRedis(enabled: true)
            .AddSpamGuardCore()
            .BuildServiceProvider();

    private static Comment Comment(int i) => new() { Site = Site, UserIp = Ip, Content = $"comment number {i}" };

    private static FeedbackReport Spam(string checkId) => new(ReportLabel.Spam, Site.ToString(), checkId, null);

    [Fact]
    public async Task ReportsDuringAnOutage_AreJournaled_AndReplayedExactlyOnce()
    {
        // With the append-only file on, as the README asks for production: records and stream survive the restart.
        await using var server = await RedisServerProcess.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        await using var services = Services(server);
        var checks = services.GetRequiredService<CommentCheckService>();
        var feedback = services.GetRequiredService<FeedbackService>();
        var ids = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            var result = await checks.CheckAsync(Comment(i), CancellationToken.None).WaitAsync(Deadline);
            Assert.True(result.Explanation.ReputationAvailable);
            ids.Add(result.CheckId);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(FeedbackOutcome.Recorded, (await feedback.ReportAsync(Spam(ids[i]), CancellationToken.None).WaitAsync(Deadline)).Outcome);
        }

        await server.StopAsync();
        for (var i = 5; i < 25; i++)
        {
            // Accepted although Redis is down: journaled.
            Assert.Equal(FeedbackOutcome.Queued, (await feedback.ReportAsync(Spam(ids[i]), CancellationToken.None).WaitAsync(Deadline)).Outcome);
        }

        var during = await checks.CheckAsync(Comment(99), CancellationToken.None).WaitAsync(Deadline);
        Assert.False(during.Explanation.ReputationAvailable);
        Assert.True(feedback.HasJournaledReports);
        await Assert.ThrowsAsync<RedisUnavailableException>(() => feedback.ReplayJournalAsync(CancellationToken.None).WaitAsync(Deadline));

        await server.StartAgainAsync();
        await ReplayWhenConnectedAsync(feedback);

        Assert.False(feedback.HasJournaledReports);
        Assert.Equal(0, await feedback.ReplayJournalAsync(CancellationToken.None).WaitAsync(Deadline));
        var examples = services.GetRequiredService<ILabelledExampleStore>();
        var reported = new List<string>();
        await foreach (var example in examples.ReadAllAsync(CancellationToken.None))
        {
            reported.Add(example.CheckId);
        }

        Assert.Equal(ids.Order(), reported.Order());
        var after = await checks.CheckAsync(Comment(100), CancellationToken.None).WaitAsync(Deadline);
        Assert.Contains(after.Explanation.Signals, s => s.Name == "reputation.ip"
            && s.Evidence.StartsWith("this IP address was reported as spam 25 times", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReplayService_AppliesTheJournalOnceRedisIsBack_AndStopsPromptly()
    {
        await using var server = await RedisServerProcess.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        await using var services = Services(server, replaySeconds: 0.1);
        var checks = services.GetRequiredService<CommentCheckService>();
        var feedback = services.GetRequiredService<FeedbackService>();
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await checks.CheckAsync(Comment(i), CancellationToken.None).WaitAsync(Deadline)).CheckId);
        }

        await server.StopAsync();
        foreach (var id in ids)
        {
            Assert.Equal(FeedbackOutcome.Queued, (await feedback.ReportAsync(Spam(id), CancellationToken.None).WaitAsync(Deadline)).Outcome);
        }

        var replay = services.GetServices<IHostedService>().OfType<JournalReplayService>().Single();
        await replay.StartAsync(CancellationToken.None);
        await Task.Delay(500);
        Assert.True(feedback.HasJournaledReports);

        await server.StartAgainAsync();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (feedback.HasJournaledReports && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await replay.StopAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.False(feedback.HasJournaledReports);
        var count = 0;
        await foreach (var _ in services.GetRequiredService<ILabelledExampleStore>().ReadAllAsync(CancellationToken.None))
        {
            count++;
        }

        Assert.Equal(10, count);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopping.Elapsed}");
    }

    [Fact]
    public async Task ReportsOfChecksLostWithAnUnpersistedRedis_AreDroppedAfterReplay_NotRetriedForever()
    {
        // Without persistence a restart loses the check records; their journaled reports can only be dropped.
        await using var server = await RedisServerProcess.StartAsync();
        await using var services = Services(server);
        var checks = services.GetRequiredService<CommentCheckService>();
        var feedback = services.GetRequiredService<FeedbackService>();
        var id = (await checks.CheckAsync(Comment(1), CancellationToken.None).WaitAsync(Deadline)).CheckId;
        await server.StopAsync();
        Assert.Equal(FeedbackOutcome.Queued, (await feedback.ReportAsync(Spam(id), CancellationToken.None).WaitAsync(Deadline)).Outcome);

        await server.StartAgainAsync();
        await ReplayWhenConnectedAsync(feedback);

        Assert.False(feedback.HasJournaledReports);
        await Assert.ThrowsAsync<CheckNotFoundException>(() => feedback.ReportAsync(Spam(id), CancellationToken.None).WaitAsync(Deadline));
    }

    // The client reconnects on its own after a restart; until it has, a replay fails and is tried again.
    private static async Task ReplayWhenConnectedAsync(FeedbackService feedback)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await feedback.ReplayJournalAsync(CancellationToken.None).WaitAsync(Deadline);
                return;
            }
            catch (StoreUnavailableException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(200);
            }
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
