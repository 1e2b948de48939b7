using System.Text.RegularExpressions;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// The embedded default (no Redis) keeps its state in SQLite under Feedback:DataDirectory: real servers on loopback
/// sockets, stopped gracefully and started again on the same directory, driven by real gRPC and HTTP clients.
/// </summary>
public sealed partial class EmbeddedStorageTests
{
    private const string AdminKey = SiteKeysForTests.AdminKey;

    [Fact]
    public async Task SiteKeys_SurviveARestart_SoKeylessChecksStayRefused_AndVerifyKeyStaysValid()
    {
        // Arrange
        string[] args = [$"--Admin:Key={AdminKey}", .. SpamGuardHost.StorageArgs()];
        string key;
        await using (var first = await SpamGuardHost.StartAsync(new KeywordTestModel(), args))
        {
            key = await SiteKeysForTests.CreateKeyAsync(first, Requests.Site);
        }

        // Act
        await using var restarted = await SpamGuardHost.StartAsync(new KeywordTestModel(), args);
        var client = new CommentFilter.CommentFilterClient(restarted.Channel);
        var keyless = await Assert.ThrowsAsync<RpcException>(() => client.CheckCommentAsync(Requests.WithContent("no key"), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var verify = await AkismetHttp.PostAsync(restarted, "/1.1/verify-key", [new("key", key), new("blog", Requests.Site)]);
        var keyed = await client.CheckCommentAsync(Requests.WithContent("with the key"), SiteKeysForTests.Bearer(key), deadline: SpamGuardHost.Deadline);

        // Assert
        Assert.Equal(StatusCode.Unauthenticated, keyless.StatusCode);
        Assert.Equal("valid", verify.Body);
        Assert.False(string.IsNullOrEmpty(keyed.CheckId));
    }

    [Fact]
    public async Task Reputation_SurvivesAGracefulRestart_SoAReportedIpStaysSpam_AndAnErasedOneIsForgotten()
    {
        // Arrange
        const string ip = "10.1.1.10";
        const string erasedIp = "10.9.9.9";
        string[] args = [$"--Admin:Key={AdminKey}", .. SpamGuardHost.StorageArgs()];
        CheckCommentResponse before;
        await using (var first = await SpamGuardHost.StartAsync(new KeywordTestModel(), args))
        {
            var client = new CommentFilter.CommentFilterClient(first.Channel);
            before = await client.CheckCommentAsync(From(ip, "Hello there"), deadline: SpamGuardHost.Deadline);
            foreach (var reported in new[] { ip, erasedIp })
            {
                for (var i = 0; i < 4; i++)
                {
                    var check = await client.CheckCommentAsync(From(reported, $"message {i} about topic {i * 7}"), deadline: SpamGuardHost.Deadline);
                    Assert.Equal(FeedbackOutcome.Recorded, (await client.SubmitSpamAsync(
                        new SubmitFeedbackRequest { Site = Requests.Site, CheckId = check.CheckId }, deadline: SpamGuardHost.Deadline)).Outcome);
                }
            }

            var admin = new ModelAdmin.ModelAdminClient(first.Channel);
            var erased = await admin.EraseAsync(new EraseRequest { Ip = erasedIp }, SiteKeysForTests.Bearer(AdminKey), deadline: SpamGuardHost.Deadline);
            Assert.Equal(1, erased.ReputationEntries);
        }

        // Act
        await using var restarted = await SpamGuardHost.StartAsync(new KeywordTestModel(), args);
        var again = new CommentFilter.CommentFilterClient(restarted.Channel);
        var after = await again.CheckCommentAsync(From(ip, "Hello there"), deadline: SpamGuardHost.Deadline);
        var forgotten = await again.CheckCommentAsync(From(erasedIp, "Hello there"), deadline: SpamGuardHost.Deadline);
        var privacy = await restarted.Http.GetStringAsync(new Uri("/privacy.json", UriKind.Relative));

        // Assert
        Assert.Equal(Verdict.Ham, before.Verdict);
        Assert.Equal(Verdict.Spam, after.Verdict);
        Assert.Equal("this IP address was reported as spam 4 times and as ham 0 times in the last 30 days",
            Assert.Single(after.Explanation.Signals, s => s.Name == "reputation.ip").Evidence);
        Assert.DoesNotContain(forgotten.Explanation.Signals, s => s.Name == "reputation.ip");
        Assert.Contains("\"max_entries\": 500000", privacy, StringComparison.Ordinal);
        Assert.Contains("or sooner once 500,000 entries are kept (the least recently touched go first)", privacy, StringComparison.Ordinal);
        Assert.Contains("copied every 30 seconds to a file on the SpamGuard server", privacy, StringComparison.Ordinal);
    }

    private static CheckCommentRequest From(string ip, string content) => new() { Site = Requests.Site, UserIp = ip, Content = content };

    [Fact]
    public async Task PastMaxCheckRecords_TheOldestChecksGo_CountedInMetrics_AndAReportOnOneIsAnUnknownCheck()
    {
        // Arrange
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), "--Feedback:MaxCheckRecords=5", $"--Admin:Key={AdminKey}");
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await client.CheckCommentAsync(Requests.WithContent($"comment number {i}"), deadline: SpamGuardHost.Deadline)).CheckId);
        }

        // Act: the records reach the disk behind the checks; the metric tells when the cap has been applied.
        var evicted = await WaitForEvictedAsync(host, 7);
        var oldest = await Assert.ThrowsAsync<RpcException>(() => client.SubmitSpamAsync(
            new SubmitFeedbackRequest { Site = Requests.Site, CheckId = ids[0] }, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var newest = await client.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = ids[^1] }, deadline: SpamGuardHost.Deadline);
        var privacy = await host.Http.GetStringAsync(new Uri("/privacy.json", UriKind.Relative));

        // Assert
        Assert.Equal(7, evicted);
        Assert.Equal(StatusCode.NotFound, oldest.StatusCode);
        Assert.Equal(FeedbackOutcome.Recorded, newest.Outcome);
        Assert.Contains("\"max_entries\": 5", privacy, StringComparison.Ordinal);
        Assert.Contains("once 5 newer checks are kept", privacy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChecksAreReportableAtOnce_AndSurviveAGracefulRestart()
    {
        // Arrange
        var storage = SpamGuardHost.StorageArgs();
        var ids = new List<string>();
        FeedbackOutcome atOnce;
        await using (var first = await SpamGuardHost.StartAsync(new KeywordTestModel(), storage))
        {
            var client = new CommentFilter.CommentFilterClient(first.Channel);
            for (var i = 0; i < 200; i++)
            {
                ids.Add((await client.CheckCommentAsync(Requests.WithContent($"before the restart {i}"), deadline: SpamGuardHost.Deadline)).CheckId);
            }

            // Act: reported the moment it was checked, before the writer has necessarily written it.
            atOnce = (await client.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = ids[^1] }, deadline: SpamGuardHost.Deadline)).Outcome;
        }

        await using var restarted = await SpamGuardHost.StartAsync(new KeywordTestModel(), storage);
        var again = new CommentFilter.CommentFilterClient(restarted.Channel);
        var outcomes = new List<FeedbackOutcome>();
        foreach (var id in ids[..^1])
        {
            outcomes.Add((await again.SubmitHamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = id }, deadline: SpamGuardHost.Deadline)).Outcome);
        }

        var repeated = await again.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = ids[^1] }, deadline: SpamGuardHost.Deadline);

        // Assert
        Assert.Equal(FeedbackOutcome.Recorded, atOnce);
        Assert.All(outcomes, o => Assert.Equal(FeedbackOutcome.Recorded, o));
        Assert.Equal(FeedbackOutcome.Repeated, repeated.Outcome);
    }

    private static async Task<long> WaitForEvictedAsync(SpamGuardHost host, long expected)
    {
        var deadline = DateTime.UtcNow + SpamGuardHost.CallTimeout;
        long seen = 0;
        while (DateTime.UtcNow < deadline)
        {
            using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", "Bearer " + AdminKey } } };
            var metrics = await (await host.Http.SendAsync(scrape)).EnsureSuccessStatusCode().Content.ReadAsStringAsync();
            // Every host in this test process starts the series at 0: the largest is this host's (or a busier one's).
            seen = EvictedLine().Matches(metrics).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
            if (seen >= expected)
            {
                return seen;
            }

            await Task.Delay(100);
        }

        return seen;
    }

    [GeneratedRegex(@"(?m)^spamguard_check_records_evicted_total(?:\{[^}]*\})? (\d+)")]
    private static partial Regex EvictedLine();
}
