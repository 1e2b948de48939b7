using System.Net;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// One site key floods ham reports for a spammer (issue 17, item 3), through the real server over real gRPC, in the
/// embedded default and against a real redis-server: the flooding site's own verdict moves, other sites' do not, and
/// once three independent sites report ham, everyone's does.
/// </summary>
public sealed class ReputationPoisoningTests
{
    private const string AdminKey = SiteKeysForTests.AdminKey;
    private const string Spammer = "https://spammer.example/";
    private const string Victim = Requests.Site;
    private const int Flood = 300;

    private static Metadata Bearer(string key) => SiteKeysForTests.Bearer(key);

    // The same spammer each time (IP, e-mail, linked host); the text varies so that every report is a new one.
    private static CheckCommentRequest Spam(string site, string suffix = "") => new()
    {
        Site = site,
        UserIp = "198.51.100.23",
        AuthorEmail = "seller@pills.example",
        Content = "Buy cheap viagra now http://pills.example/buy" + suffix,
    };

    private static async Task<SpamGuardHost> StartAsync(RedisServerProcess? redis, params string[] extra) =>
        await SpamGuardHost.StartAsync(new KeywordTestModel(),
        [
            $"--Admin:Key={AdminKey}",
            .. redis is null ? Array.Empty<string>() : [$"--Redis:Configuration={redis.Endpoint}", $"--Privacy:PseudonymSecret={RedisNodes.Secret}", "--Redis:Resilience:TimeoutMilliseconds=2000"],
            .. extra,
        ]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OneKeyFloodingHamReports_MovesOnlyItsOwnVerdicts_UntilThreeSitesAgree(bool redisMode)
    {
        // Arrange
        await using var redis = redisMode ? await RedisServerProcess.StartAsync() : null;
        // The key's general call budget is raised so that only the report budget is under test.
        await using var host = await StartAsync(redis, "--SiteKeys:RateLimit:Burst=1000");
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        var spammerKey = await SiteKeysForTests.CreateKeyAsync(host, Spammer);
        var victimKey = await SiteKeysForTests.CreateKeyAsync(host, Victim);
        var before = await client.CheckCommentAsync(Spam(Victim), Bearer(victimKey), deadline: SpamGuardHost.Deadline);

        // Act: hundreds of ham reports from one key, as fast as it can send them.
        int applied = 0, refused = 0;
        for (var i = 0; i < Flood; i++)
        {
            try
            {
                await client.SubmitHamAsync(new SubmitFeedbackRequest { Site = Spammer, Comment = Spam(Spammer, $" #{i}") }, Bearer(spammerKey), deadline: SpamGuardHost.Deadline);
                applied++;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
            {
                refused++;
            }
        }

        var spammersOwn = await client.CheckCommentAsync(Spam(Spammer), Bearer(spammerKey), deadline: SpamGuardHost.Deadline);
        var afterFlood = await client.CheckCommentAsync(Spam(Victim), Bearer(victimKey), deadline: SpamGuardHost.Deadline);
        foreach (var site in new[] { "https://second.example/", "https://third.example/" })
        {
            var key = await SiteKeysForTests.CreateKeyAsync(host, site);
            await client.SubmitHamAsync(new SubmitFeedbackRequest { Site = site, Comment = Spam(site) }, Bearer(key), deadline: SpamGuardHost.Deadline);
        }

        var afterAgreement = await client.CheckCommentAsync(Spam(Victim), Bearer(victimKey), deadline: SpamGuardHost.Deadline);

        // Assert
        Assert.Equal(Verdict.Spam, before.Verdict);
        Assert.True(applied >= 100, $"applied {applied}");
        Assert.True(refused > 0, "the report rate limit never refused the flood");
        Assert.Equal(Flood, applied + refused);
        Assert.Equal(Verdict.Ham, spammersOwn.Verdict);
        Assert.Equal(Verdict.Spam, afterFlood.Verdict);
        Assert.Equal(before.SpamProbability, afterFlood.SpamProbability, 9);
        Assert.Contains(afterFlood.Explanation.Signals, s => s.Name == "reputation.ip" && s.Weight == 0
            && s.Evidence.Contains("ham reports from 1 other site were not counted: fewer than 3 independent sites agree", StringComparison.Ordinal));
        Assert.Equal(Verdict.Ham, afterAgreement.Verdict);
        Assert.True(afterAgreement.SpamProbability < before.SpamProbability - 0.5, $"{before.SpamProbability} → {afterAgreement.SpamProbability}");
    }

    [Fact]
    public async Task ATrustedReporter_MovesEveryonesVerdict_Alone()
    {
        const string Desk = "https://moderation.example/";
        await using var host = await StartAsync(null, $"--Reputation:TrustedReporters:0={Desk}");
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        var deskKey = await SiteKeysForTests.CreateKeyAsync(host, Desk);
        var victimKey = await SiteKeysForTests.CreateKeyAsync(host, Victim);
        var request = new CheckCommentRequest { Site = Victim, UserIp = "198.51.100.80", Content = "a perfectly ordinary remark about gardens" };

        var before = await client.CheckCommentAsync(request, Bearer(victimKey), deadline: SpamGuardHost.Deadline);
        await client.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Desk, Comment = new CheckCommentRequest(request) { Site = Desk } }, Bearer(deskKey), deadline: SpamGuardHost.Deadline);
        var after = await client.CheckCommentAsync(request, Bearer(victimKey), deadline: SpamGuardHost.Deadline);

        Assert.True(after.SpamProbability > before.SpamProbability, $"{before.SpamProbability} → {after.SpamProbability}");
        Assert.Contains(after.Explanation.Signals, s => s.Name == "reputation.ip" && s.Weight > 0);
    }

    [Fact]
    public async Task ReportsOverTheKeysReportBudget_AreRefused_OverGrpcAndRest_AndNotApplied()
    {
        // Arrange
        await using var host = await StartAsync(null, "--Reputation:ReportRateLimit:ReportsPerMinute=1", "--Reputation:ReportRateLimit:Burst=2");
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        var key = await SiteKeysForTests.CreateKeyAsync(host, Victim);
        CheckCommentRequest Comment(int i) => new() { Site = Victim, UserIp = $"198.51.100.{100 + i}", Content = $"an ordinary remark number {i}" };

        // Act
        for (var i = 0; i < 2; i++)
        {
            await client.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Victim, Comment = Comment(i) }, Bearer(key), deadline: SpamGuardHost.Deadline);
        }

        var grpc = await Assert.ThrowsAsync<RpcException>(() => client.SubmitSpamAsync(
            new SubmitFeedbackRequest { Site = Victim, Comment = Comment(2) }, Bearer(key), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var rest = await AkismetHttp.PostAsync(host, "/1.1/submit-spam",
            [.. AkismetHttp.Comment("an ordinary remark number 3", ("api_key", key)).Where(f => f.Key != "user_ip"), new("user_ip", "198.51.100.103")]);
        var refusedOne = await client.CheckCommentAsync(Comment(2), Bearer(key), deadline: SpamGuardHost.Deadline);
        var appliedOne = await client.CheckCommentAsync(Comment(0), Bearer(key), deadline: SpamGuardHost.Deadline);

        // Assert
        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        Assert.Contains("report rate limit", grpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, rest.Status);
        Assert.NotNull(rest.Header("Retry-After"));
        Assert.DoesNotContain(refusedOne.Explanation.Signals, s => s.Name == "reputation.ip");
        Assert.Contains(appliedOne.Explanation.Signals, s => s.Name == "reputation.ip" && s.Weight > 0);
    }

    [Theory]
    [InlineData("--Reputation:MinIndependentReporters=0")]
    [InlineData("--Reputation:MinIndependentReporters=17")]
    [InlineData("--Reputation:TrustedReporters:0=not a url")]
    [InlineData("--Reputation:ReportRateLimit:Burst=0")]
    [InlineData("--Reputation:Weights:Cap=-1")]
    public async Task InvalidReputationSettings_AreRefusedAtStart(string setting)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(null, setting));

        Assert.Contains("Reputation:", failure.Message, StringComparison.Ordinal);
    }
}
