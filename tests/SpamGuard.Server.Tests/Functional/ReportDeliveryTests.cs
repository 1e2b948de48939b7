using System.Net;
using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;
using FeedbackOutcome = SpamGuard.Contracts.V1.FeedbackOutcome;
using FeedbackService = SpamGuard.Core.Feedback.FeedbackService;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// No accepted report is lost, against a real redis-server that is killed, over real gRPC, with the node restarted
/// between the outage and the recovery: checks made during the outage can be reported later, and reports answered
/// QUEUED are applied exactly once (the counts in Redis prove it).
/// </summary>
public sealed class ReportDeliveryTests
{
    private static CheckCommentRequest From(string ip, string content) => new() { Site = Requests.Site, UserIp = ip, Content = content };

    private static async Task<SubmitFeedbackResponse> ReportSpamAsync(SpamGuardHost node, string checkId)
    {
        var client = new CommentFilter.CommentFilterClient(node.Channel);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await client.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = checkId }, deadline: SpamGuardHost.Deadline);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < until)
            {
                // A restarted node refuses calls until it can tell whether site keys exist (fail closed).
                await Task.Delay(200);
            }
        }
    }

    private static async Task<CheckCommentResponse> CheckOnceReadyAsync(CommentFilter.CommentFilterClient client, CheckCommentRequest request)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await client.CheckCommentAsync(request, deadline: SpamGuardHost.Deadline);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < until)
            {
                // The node has not read whether site keys exist yet (a cold connection can miss the 50 ms timeout).
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The test's own reads through the node's stores, which keep the 50 ms guard: retried on this loaded machine.</summary>
    private static async Task<T> PatientlyAsync<T>(Func<Task<T>> read)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await read();
            }
            catch (StoreUnavailableException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(200);
            }
        }
    }

    [Fact]
    public async Task ChecksAndReportsDuringAnOutage_SurviveANodeRestart_AndAreAppliedExactlyOnce()
    {
        // Arrange: Redis persists (as README recommends), and the node's local files live in one directory across restarts.
        await using var redis = await RedisServerProcess.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        var dataDirectory = Directory.CreateTempSubdirectory("spamguard-delivery-").FullName;
        string[] args =
        [
            $"--Redis:Configuration={redis.Endpoint}", $"--Privacy:PseudonymSecret={RedisNodes.Secret}",
            "--Redis:Resilience:BreakSeconds=1", "--Redis:ConnectTimeoutMilliseconds=200", "--Feedback:JournalReplaySeconds=0.2",
            $"--Feedback:DataDirectory={dataDirectory}", $"--Admin:Key={SiteKeysForTests.AdminKey}", $"--Privacy:PseudonymSecretFile={Path.Combine(dataDirectory, "secret.key")}",
        ];
        var node = await SpamGuardHost.StartAsync(new KeywordTestModel(), args);
        try
        {
            var client = new CommentFilter.CommentFilterClient(node.Channel);
            var before = await CheckOnceReadyAsync(client, From("10.60.0.1", "checked before the outage"));

            // Act 1: Redis is killed; checks go on, and some are reported at once (QUEUED).
            await redis.StopAsync();
            var during = new List<(string Ip, CheckCommentResponse Check)>();
            for (var i = 0; i < 6; i++)
            {
                var ip = $"10.60.1.{i + 1}";
                during.Add((ip, await client.CheckCommentAsync(From(ip, $"checked during the outage, number {i}"), deadline: SpamGuardHost.Deadline)));
            }

            var queued = new List<FeedbackOutcome> { (await ReportSpamAsync(node, before.CheckId)).Outcome };
            foreach (var (_, check) in during.Take(3))
            {
                queued.Add((await ReportSpamAsync(node, check.CheckId)).Outcome);
            }

            // Act 2: the node restarts while Redis is still down, then Redis comes back.
            await node.DisposeAsync();
            node = await SpamGuardHost.StartAsync(new KeywordTestModel(), args);
            var feedback = node.Services.GetRequiredService<FeedbackService>();
            var outbox = node.Services.GetRequiredService<CheckOutbox>();
            var waitingAfterRestart = (feedback.PendingReports, outbox.Count);
            await redis.StartAgainAsync();
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while ((feedback.PendingReports > 0 || outbox.Count > 0) && DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }

            // Act 3: the checks made during the outage and not reported yet are reported now.
            var later = new List<FeedbackOutcome>();
            foreach (var (_, check) in during.Skip(3))
            {
                later.Add((await ReportSpamAsync(node, check.CheckId)).Outcome);
            }

            // On this loaded machine a call can still miss the 50 ms timeout now and then: such a report is queued.
            while (feedback.PendingReports > 0 && DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }

            // Assert: every check made during the outage said its record was kept, so it could be reported.
            Assert.All(during, d => Assert.Equal(DataHandling.Stored, d.Check.Explanation.Processing.Single(p => p.Field == "site").Handling));
            Assert.All(queued, o => Assert.Equal(FeedbackOutcome.Queued, o));
            // The six checks of the outage at least (a check before it may have missed the 50 ms timeout too).
            Assert.Equal(4L, waitingAfterRestart.PendingReports);
            Assert.InRange(waitingAfterRestart.Count, 6, 7);
            Assert.Equal((0L, 0), (feedback.PendingReports, outbox.Count));
            Assert.All(later, o => Assert.Contains(o, new[] { FeedbackOutcome.Recorded, FeedbackOutcome.Queued }));
            Assert.Equal(0, feedback.FailedReports);

            // Each reported check carries its report in Redis, and each IP was counted as reported exactly once.
            var reputation = node.Services.GetRequiredService<IReputationStore>();
            var pseudonyms = node.Services.GetRequiredService<Pseudonymizer>();
            var now = DateTimeOffset.UtcNow;
            foreach (var (ip, checkId) in during.Select(d => (d.Ip, d.Check.CheckId)).Prepend(("10.60.0.1", before.CheckId)))
            {
                Assert.Equal("Spam", (await redis.CliAsync("HGET", $"spamguard:check:{checkId}", "report_label")).Trim());
                var counts = await PatientlyAsync(() => reputation.ReadAsync([new ReputationSubject(SubjectKind.Ip, pseudonyms.Ip(IPAddress.Parse(ip)))], Requests.Site, now, CancellationToken.None));
                Assert.Equal(1, counts[0].Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days));
            }

            var examples = await PatientlyAsync(async () =>
            {
                var all = new List<LabelledExample>();
                await foreach (var example in node.Services.GetRequiredService<ILabelledExampleStore>().ReadAllAsync(CancellationToken.None))
                {
                    all.Add(example);
                }

                return all;
            });

            Assert.Equal(7, examples.Count);
            Assert.Equal(7, examples.Select(e => e.CheckId).Distinct().Count());
            using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", "Bearer " + SiteKeysForTests.AdminKey } } };
            var scraped = await (await node.Http.SendAsync(scrape)).EnsureSuccessStatusCode().Content.ReadAsStringAsync();
            var metrics = string.Join('\n', scraped.Split('\n').Where(l => l.StartsWith("spamguard_", StringComparison.Ordinal)));
            // Every host in this test process exports on the same meter name, so only a lower bound holds here; the
            // admin API below is this node's own.
            // Each host's series starts at 0, so the largest is this node's (or a busier one's).
            var replayed = Regex.Matches(metrics, @"(?m)^spamguard_reports_replayed_total(\{[^}]*\})? (\d+)")
                .Select(m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
            Assert.True(replayed >= 4 + later.Count(o => o == FeedbackOutcome.Queued), metrics);

            // Admins see the same through the admin API.
            var stats = await new ModelAdmin.ModelAdminClient(node.Channel).GetFeedbackStatsAsync(new GetFeedbackStatsRequest(), SiteKeysForTests.Bearer(SiteKeysForTests.AdminKey), deadline: SpamGuardHost.Deadline);
            Assert.Equal((0L, 0L, 0L), (stats.ReportsPending, stats.ReportsFailed, stats.ChecksWaiting));
        }
        finally
        {
            await node.DisposeAsync();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
