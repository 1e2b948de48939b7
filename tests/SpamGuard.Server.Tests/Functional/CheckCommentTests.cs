using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>Happy-path CheckComment over a real socket: verdicts, explanation and processing disclosure reach the wire intact.</summary>
public sealed class CheckCommentTests(LoadedHostFixture fixture) : IClassFixture<LoadedHostFixture>
{
    private readonly CommentFilter.CommentFilterClient _client = new(fixture.Host.Channel);

    [Fact]
    public async Task CheckComment_ObviousHam_ReturnsHamWithReasons()
    {
        var response = await _client.CheckCommentAsync(
            Requests.WithContent("Thanks for the great article, very interesting."), deadline: SpamGuardHost.Deadline);

        Assert.Equal(Verdict.Ham, response.Verdict);
        Assert.InRange(response.SpamProbability, 0.0, 0.5);
        Assert.StartsWith("Ham", response.Explanation.Summary, StringComparison.Ordinal);
        Assert.All(response.Explanation.Signals, s => Assert.True(s.Weight < 0));
        Assert.Contains(response.Explanation.Signals, s => s is { Name: "content.word", Kind: SignalKind.Text, Evidence: "thanks" });
    }

    [Fact]
    public async Task CheckComment_ModerateSpam_ReturnsSpamWithModelThresholds()
    {
        var response = await _client.CheckCommentAsync(Requests.WithContent("cheap pills"), deadline: SpamGuardHost.Deadline);

        // -1 + 1.5 + 2 = 2.5 log-odds → p ≈ 0.924: above the double's spam threshold, below discard.
        Assert.Equal(Verdict.Spam, response.Verdict);
        Assert.Equal(1 / (1 + Math.Exp(-2.5)), response.SpamProbability, 9);
        Assert.Equal(0.5, response.Thresholds.Spam);
        Assert.Equal(0.99, response.Thresholds.Discard);
        Assert.Equal(KeywordTestModel.TestVersion, response.ModelVersion);
        Assert.Equal(KeywordTestModel.Bias, response.Explanation.BaseWeight);
        Assert.StartsWith("Spam", response.Explanation.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckComment_BlatantSpamWithRules_ReturnsDiscardAndSignalsSortedByStrength()
    {
        // Arrange: model words, a link and three rules, so model and rule signals have to be merged and sorted.
        var request = Requests.Complete("CHEAP viagra pills at the casino: shop-pills.com");
        request.Honeypot.Value = "http://bot.example";
        request.ClientSignals.TimeToSubmitMs = 400;
        request.ClientSignals.JavascriptRan = false;

        // Act
        var response = await _client.CheckCommentAsync(request, deadline: SpamGuardHost.Deadline);

        // Assert
        Assert.Equal(Verdict.Discard, response.Verdict);
        Assert.False(string.IsNullOrWhiteSpace(response.Explanation.Summary));
        var signals = response.Explanation.Signals;
        var weights = signals.Select(s => Math.Abs(s.Weight)).ToList();
        Assert.Equal(weights.OrderByDescending(w => w), weights);
        Assert.Contains(signals, s => s is { Name: "rule.honeypot", Kind: SignalKind.Rule, Weight: 8.0 });
        Assert.Contains(signals, s => s is { Name: "behaviour.submit_time", Kind: SignalKind.Behaviour });
        Assert.Contains(signals, s => s is { Name: "behaviour.javascript", Kind: SignalKind.Behaviour });
        Assert.Contains(signals, s => s is { Name: "link.count", Kind: SignalKind.Link });
        Assert.Contains(signals, s => s is { Name: "content.word", Kind: SignalKind.Text, Evidence: "viagra" });
    }

    [Fact]
    public async Task CheckComment_EveryFieldSubmitted_DisclosesEachFieldAndStoresNothing()
    {
        var response = await _client.CheckCommentAsync(Requests.Complete("A thoughtful reply."), deadline: SpamGuardHost.Deadline);

        var processing = response.Explanation.Processing;
        Assert.Equal(Requests.AllFieldNames.Order(StringComparer.Ordinal), processing.Select(p => p.Field).Order(StringComparer.Ordinal));
        Assert.All(processing, p =>
        {
            Assert.Equal(0, p.RetentionSeconds);
            Assert.Equal("not stored", p.Retention);
            Assert.Contains(p.Handling, new[] { DataHandling.UsedInMemoryDiscarded, DataHandling.IgnoredDiscarded });
            Assert.False(string.IsNullOrWhiteSpace(p.Purpose));
        });
    }

    [Fact]
    public async Task CheckComment_TwoCalls_ReturnDistinctWellFormedCheckIds()
    {
        var first = await _client.CheckCommentAsync(Requests.WithContent("hello"), deadline: SpamGuardHost.Deadline);
        var second = await _client.CheckCommentAsync(Requests.WithContent("hello"), deadline: SpamGuardHost.Deadline);

        Assert.Matches("^[0-9a-f]{32}$", first.CheckId);
        Assert.Matches("^[0-9a-f]{32}$", second.CheckId);
        Assert.NotEqual(first.CheckId, second.CheckId);
    }

    [Fact]
    public async Task CheckComment_AdministratorRole_IsHamWhateverTheContent()
    {
        var request = Requests.WithContent("cheap viagra casino pills");
        request.UserRole = "administrator";

        var response = await _client.CheckCommentAsync(request, deadline: SpamGuardHost.Deadline);

        Assert.Equal(Verdict.Ham, response.Verdict);
        Assert.Equal("rule.administrator", response.Explanation.Signals[0].Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:192.0.2.1")]
    [InlineData("192.0.2.255")]
    public async Task CheckComment_AcceptedOptionalValues_ReturnsVerdict(string userIp)
    {
        // Edge values that must be accepted: empty content, odd but valid IPs, odd referrers, 32 languages,
        // UNSPECIFIED comment type.
        var request = Requests.WithContent("");
        request.UserIp = userIp;
        request.Referrer = "about:blank";
        request.CommentType = CommentType.Unspecified;
        request.SiteLanguages.Add(Enumerable.Range(0, 32).Select(i => "l" + i));

        var response = await _client.CheckCommentAsync(request, deadline: SpamGuardHost.Deadline);

        Assert.NotEqual(Verdict.Unspecified, response.Verdict);
    }

    [Fact]
    public async Task CheckComment_ContentExactlyAtLimit_IsAccepted()
    {
        var response = await _client.CheckCommentAsync(Requests.WithContent(new string('a', 64 * 1024)), deadline: SpamGuardHost.Deadline);

        Assert.NotEqual(Verdict.Unspecified, response.Verdict);
    }
}
