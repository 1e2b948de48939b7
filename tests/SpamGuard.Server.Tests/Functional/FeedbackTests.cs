using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>On the embedded default: in-process reputation and check records.</summary>
public sealed class InProcessFeedbackTests(LoadedHostFixture fixture) : FeedbackTests(fixture.Host), IClassFixture<LoadedHostFixture>;

/// <summary>In Redis mode, against a real redis-server.</summary>
public sealed class RedisFeedbackTests(RedisHostFixture fixture) : FeedbackTests(fixture.Host), IClassFixture<RedisHostFixture>;

/// <summary>
/// SubmitSpam / SubmitHam over a real socket, run against both stores: reports change later verdicts (same IP, same
/// link domain, near-copies of the text) with the reason in the explanation, are idempotent and correctable, and bad
/// reports fail with the right status naming the field.
/// </summary>
public abstract class FeedbackTests
{
    private readonly CommentFilter.CommentFilterClient _client;

    private protected FeedbackTests(SpamGuardHost host)
    {
        _client = new CommentFilter.CommentFilterClient(host.Channel);
    }

    private static CheckCommentRequest From(string ip, string content) => new() { Site = Requests.Site, UserIp = ip, Content = content };

    private async Task<CheckCommentResponse> CheckAsync(CheckCommentRequest request) =>
        await _client.CheckCommentAsync(request, deadline: SpamGuardHost.Deadline);

    private async Task<SubmitFeedbackResponse> SpamAsync(string checkId, string site = Requests.Site) =>
        await _client.SubmitSpamAsync(new SubmitFeedbackRequest { Site = site, CheckId = checkId }, deadline: SpamGuardHost.Deadline);

    private async Task<SubmitFeedbackResponse> HamAsync(string checkId) =>
        await _client.SubmitHamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = checkId }, deadline: SpamGuardHost.Deadline);

    [Fact]
    public async Task SpamReportsOfAnIp_TurnItsNextCommentIntoSpam_WithTheReasonInTheExplanation()
    {
        const string ip = "10.1.1.10";
        var before = await CheckAsync(From(ip, "Hello there"));
        Assert.Equal(Verdict.Ham, before.Verdict);
        Assert.True(before.ReputationAvailable);
        Assert.True(before.Explanation.ReputationAvailable);

        for (var i = 0; i < 4; i++)
        {
            var check = await CheckAsync(From(ip, $"message {i} about topic {i * 7}"));
            Assert.Equal(FeedbackOutcome.Recorded, (await SpamAsync(check.CheckId)).Outcome);
        }

        var after = await CheckAsync(From(ip, "Hello there"));

        // -1 (the test model's bias) + ln 5 (IP) + 0.5 ln 5 (its /24) ≈ 1.41 → p ≈ 0.80.
        Assert.Equal(Verdict.Spam, after.Verdict);
        var signal = Assert.Single(after.Explanation.Signals, s => s.Name == "reputation.ip");
        Assert.Equal(SignalKind.Reputation, signal.Kind);
        Assert.Equal(Math.Log(5), signal.Weight, 9);
        Assert.Equal("this IP address was reported as spam 4 times and as ham 0 times in the last 30 days", signal.Evidence);
        Assert.Contains("this IP address was reported as spam 4 times", after.Explanation.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpamReportsOfCommentsLinkingADomain_TurnTheNextCommentLinkingItIntoSpam()
    {
        var before = await CheckAsync(From("10.6.0.1", "my page https://pharma-deals.example/a"));
        Assert.Equal(Verdict.Ham, before.Verdict);

        for (var i = 0; i < 3; i++)
        {
            var check = await CheckAsync(From($"10.6.{i + 1}.9", $"visit https://www.pharma-deals.example/p{i} today {i}"));
            await SpamAsync(check.CheckId);
        }

        var after = await CheckAsync(From("10.6.9.1", "my page https://pharma-deals.example/a"));

        // -1 + 0.5 ln 2 (one link) + ln 4 (three reports of the domain) ≈ 0.73 → p ≈ 0.67.
        Assert.Equal(Verdict.Spam, after.Verdict);
        var link = Assert.Single(after.Explanation.Signals, s => s.Name == "reputation.link_host");
        Assert.Equal(Math.Log(4), link.Weight, 9);
        Assert.Equal("a linked domain was reported as spam 3 times and as ham 0 times in the last 30 days", link.Evidence);
    }

    [Fact]
    public async Task SpamReportsOfAText_TurnAnEditedCopyFromElsewhereIntoSpam()
    {
        const string text = "Dear friend I am a banker with a business proposal of fifteen million dollars for you, reply with your account details";
        var edited = text.Replace("fifteen", "twenty", StringComparison.Ordinal) + " urgently";
        Assert.Equal(Verdict.Ham, (await CheckAsync(From("10.7.0.1", edited))).Verdict);

        for (var i = 0; i < 3; i++)
        {
            var check = await CheckAsync(From($"10.7.{i + 1}.9", text));
            await SpamAsync(check.CheckId);
        }

        var after = await CheckAsync(From("10.7.9.9", edited));

        Assert.Equal(Verdict.Spam, after.Verdict);
        var copy = Assert.Single(after.Explanation.Signals, s => s.Name == "reputation.content");
        Assert.StartsWith("a near-copy of this text was reported as spam 3 times", copy.Evidence, StringComparison.Ordinal);
        Assert.True(copy.Weight > 1.0, $"near-copy weight {copy.Weight}");
    }

    [Fact]
    public async Task Reports_AreIdempotent_AndAnOppositeReportCorrects()
    {
        var check = await CheckAsync(From("10.2.2.20", "cheap pills"));

        var first = await SpamAsync(check.CheckId);
        var again = await SpamAsync(check.CheckId);
        var ham = await HamAsync(check.CheckId);
        var hamAgain = await HamAsync(check.CheckId);

        Assert.Equal(check.CheckId, first.CheckId);
        Assert.Equal(
            [FeedbackOutcome.Recorded, FeedbackOutcome.Repeated, FeedbackOutcome.Corrected, FeedbackOutcome.Repeated],
            new[] { first, again, ham, hamAgain }.Select(r => r.Outcome));
        var next = await CheckAsync(From("10.2.2.20", "something else"));
        Assert.Equal(-Math.Log(2), Assert.Single(next.Explanation.Signals, s => s.Name == "reputation.ip").Weight, 9);
    }

    [Fact]
    public async Task ReportByComment_SentAgain_IsRecordedOnceUnderAStableId()
    {
        var comment = From("10.3.3.30", "Visit https://pills.example/buy now");

        var first = await _client.SubmitSpamAsync(new SubmitFeedbackRequest { Comment = comment }, deadline: SpamGuardHost.Deadline);
        var again = await _client.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, Comment = comment }, deadline: SpamGuardHost.Deadline);

        Assert.Equal(FeedbackOutcome.Recorded, first.Outcome);
        Assert.Equal(FeedbackOutcome.Repeated, again.Outcome);
        Assert.Equal(first.CheckId, again.CheckId);
        Assert.Matches("^[0-9a-f]{32}$", first.CheckId);
        var other = await CheckAsync(From("198.51.100.200", "look at http://pills.example/"));
        Assert.Contains(other.Explanation.Signals, s => s.Name == "reputation.link_host");
    }

    [Fact]
    public async Task TestComment_ReportedByComment_IsNotLearned()
    {
        var comment = From("10.4.4.31", "test comment");
        comment.IsTest = true;

        var result = await _client.SubmitSpamAsync(new SubmitFeedbackRequest { Comment = comment }, deadline: SpamGuardHost.Deadline);

        Assert.Equal(FeedbackOutcome.TestNotLearned, result.Outcome);
        var next = await CheckAsync(From("10.4.4.31", "test comment"));
        Assert.DoesNotContain(next.Explanation.Signals, s => s.Kind == SignalKind.Reputation);
    }

    [Fact]
    public async Task UnknownCheckId_IsNotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => SpamAsync("0123456789abcdef0123456789abcdef"));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task AnotherSitesCheck_IsNotFound_UntilSiteKeysExist()
    {
        var check = await CheckAsync(From("10.5.5.40", "words"));

        var ex = await Assert.ThrowsAsync<RpcException>(() => SpamAsync(check.CheckId, "https://another-blog.example/"));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal(FeedbackOutcome.Recorded, (await SpamAsync(check.CheckId)).Outcome);
    }

    public static TheoryData<string, string> InvalidReports => new()
    {
        { "check_id not hex", "check_id" },
        { "check_id upper case", "check_id" },
        { "check_id without site", "site" },
        { "check_id with relative site", "site" },
        { "no target", "target" },
        { "comment with bad ip", "comment.user_ip" },
        { "comment without site", "comment.site" },
        { "site differs from comment's", "site" },
    };

    [Theory]
    [MemberData(nameof(InvalidReports))]
    public async Task InvalidReport_IsInvalidArgumentNamingTheField(string @case, string field)
    {
        var request = @case switch
        {
            "check_id not hex" => new SubmitFeedbackRequest { Site = Requests.Site, CheckId = "not-a-check-id" },
            "check_id upper case" => new SubmitFeedbackRequest { Site = Requests.Site, CheckId = "0123456789ABCDEF0123456789ABCDEF" },
            "check_id without site" => new SubmitFeedbackRequest { CheckId = "0123456789abcdef0123456789abcdef" },
            "check_id with relative site" => new SubmitFeedbackRequest { Site = "/blog", CheckId = "0123456789abcdef0123456789abcdef" },
            "no target" => new SubmitFeedbackRequest { Site = Requests.Site },
            "comment with bad ip" => new SubmitFeedbackRequest { Comment = From("1.2.3", "x") },
            "comment without site" => new SubmitFeedbackRequest { Comment = new CheckCommentRequest { Content = "x" } },
            "site differs from comment's" => new SubmitFeedbackRequest { Site = "https://other.example/", Comment = From("192.0.2.1", "x") },
            _ => throw new ArgumentOutOfRangeException(nameof(@case), @case, null),
        };

        var spam = await Assert.ThrowsAsync<RpcException>(() => _client.SubmitSpamAsync(request, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var ham = await Assert.ThrowsAsync<RpcException>(() => _client.SubmitHamAsync(request, deadline: SpamGuardHost.Deadline).ResponseAsync);

        foreach (var ex in new[] { spam, ham })
        {
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            var badRequest = ex.GetRpcStatus()?.GetDetail<BadRequest>();
            Assert.NotNull(badRequest);
            Assert.Equal(field, Assert.Single(badRequest.FieldViolations).Field);
        }
    }

    [Fact]
    public async Task Processing_SaysWhatWasStored_UnderWhichPseudonym_AndForHowLong()
    {
        var request = Requests.Complete("A normal comment with a link https://jane.example.net/post");
        request.IsTest = false;

        var response = await CheckAsync(request);

        var byField = response.Explanation.Processing.ToDictionary(p => p.Field);
        var ip = byField["user_ip"];
        Assert.Equal(DataHandling.StoredPseudonymised, ip.Handling);
        Assert.Equal(2, ip.Pseudonyms.Count);
        Assert.StartsWith("ip:", ip.Pseudonyms[0], StringComparison.Ordinal);
        Assert.StartsWith("net:", ip.Pseudonyms[1], StringComparison.Ordinal);
        Assert.Equal((long)TimeSpan.FromDays(31).TotalSeconds, ip.RetentionSeconds);
        Assert.Equal("31 days", ip.Retention);
        Assert.StartsWith("email:", Assert.Single(byField["author_email"].Pseudonyms), StringComparison.Ordinal);
        Assert.StartsWith("host:", Assert.Single(byField["author_url"].Pseudonyms), StringComparison.Ordinal);
        Assert.Equal(DataHandling.Stored, byField["content"].Handling);
        Assert.Equal(DataHandling.Stored, byField["site"].Handling);
        Assert.Equal("7 days", byField["site"].Retention);
        Assert.Equal(DataHandling.IgnoredDiscarded, byField["user_agent"].Handling);
        var wire = response.Explanation.ToString();
        Assert.DoesNotContain(request.UserIp, wire, StringComparison.Ordinal);
        Assert.DoesNotContain(request.AuthorEmail, wire, StringComparison.Ordinal);
        Assert.DoesNotContain(request.Author, wire, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestCall_StoresNothing()
    {
        var response = await CheckAsync(Requests.Complete("A test call"));

        Assert.True(response.ReputationAvailable);
        Assert.All(response.Explanation.Processing, p => Assert.Equal(0, p.RetentionSeconds));
        Assert.All(response.Explanation.Processing, p => Assert.Empty(p.Pseudonyms));
        var ex = await Assert.ThrowsAsync<RpcException>(() => SpamAsync(response.CheckId));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }
}

/// <summary>The retention options are read where the disclosure is written, so changing one changes what a check says.</summary>
public sealed class RetentionConfigurationTests
{
    [Fact]
    public async Task CheckRetentionOption_ChangesTheDisclosedRetention()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), "--Feedback:CheckRetentionDays=3");
        var client = new CommentFilter.CommentFilterClient(host.Channel);

        var response = await client.CheckCommentAsync(new CheckCommentRequest { Site = Requests.Site, Content = "hi" }, deadline: SpamGuardHost.Deadline);

        Assert.Equal("3 days", response.Explanation.Processing.Single(p => p.Field == "site").Retention);
        Assert.Equal(3 * 86_400, response.Explanation.Processing.Single(p => p.Field == "site").RetentionSeconds);
    }

    [Theory]
    [InlineData("--Feedback:CheckRetentionDays=0", "Feedback:CheckRetentionDays")]
    [InlineData("--Feedback:JournalReplaySeconds=0", "Feedback:JournalReplaySeconds")]
    [InlineData("--Redis:Resilience:TimeoutMilliseconds=0", "Redis:Resilience:TimeoutMilliseconds")]
    public async Task InvalidFeedbackOrRedisOption_FailsTheStartNamingIt(string arg, string key)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => SpamGuardHost.StartAsync(new KeywordTestModel(), arg));

        Assert.Contains(key, string.Join(" ", ex.Failures), StringComparison.Ordinal);
    }
}
