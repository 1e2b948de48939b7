using System.Net;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Tests;

/// <summary>Reports: outcomes, idempotence, corrections, and the journal when stores are down.</summary>
public sealed class FeedbackServiceTests : IDisposable
{
    private static readonly IPAddress Ip = IPAddress.Parse("203.0.113.7");
    private readonly FeedbackHarness _h = new(new FixedContributionModel("fixed-1", new Thresholds(0.5, 0.99), -2.0));

    public void Dispose() => _h.Dispose();

    private static Comment Comment(string content = "some words") => TestComments.With(content) with { UserIp = Ip };

    private async Task<string> CheckAsync(Comment comment) => (await _h.Checks.CheckAsync(comment, CancellationToken.None)).CheckId;

    private Task<FeedbackResult> ReportAsync(string checkId, ReportLabel label, string? site = null) =>
        _h.Feedback.ReportAsync(new FeedbackReport(label, site ?? TestComments.Site.ToString(), checkId, null), CancellationToken.None);

    private async Task<(long Spam, long Ham)> IpReportsAsync()
    {
        var read = await _h.Reputation.Inner.ReadAsync([new ReputationSubject(SubjectKind.Ip, _h.Pseudonyms.Ip(Ip))], TestComments.Site.ToString(), DateTimeOffset.UtcNow, CancellationToken.None);
        return (read[0].Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days),
            read[0].Count(ReputationCounter.HamReports, ReputationWindow.Last30Days));
    }

    [Fact]
    public async Task ByCheckId_RecordedThenRepeatedThenCorrected()
    {
        var id = await CheckAsync(Comment());

        var first = await ReportAsync(id, ReportLabel.Spam);
        var again = await ReportAsync(id, ReportLabel.Spam);
        Assert.Equal((1, 0), await IpReportsAsync());
        var corrected = await ReportAsync(id, ReportLabel.Ham);

        Assert.Equal(new FeedbackResult(id, FeedbackOutcome.Recorded), first);
        Assert.Equal(new FeedbackResult(id, FeedbackOutcome.Repeated), again);
        Assert.Equal(new FeedbackResult(id, FeedbackOutcome.Corrected), corrected);
        Assert.Equal((0, 1), await IpReportsAsync());
        var examples = await _h.ExamplesAsync();
        Assert.Equal([ReportLabel.Spam, ReportLabel.Ham], examples.Select(e => e.Label));
        Assert.All(examples, e => Assert.Equal("some words", e.Content));
        var latest = Assert.Single(await _h.Examples.Inner.LatestPerCheck(CancellationToken.None));
        Assert.Equal(ReportLabel.Ham, latest.Label);
    }

    [Fact]
    public async Task UnknownCheck_IsNotFound_AndChangesNothing()
    {
        await Assert.ThrowsAsync<CheckNotFoundException>(() => ReportAsync("0123456789abcdef0123456789abcdef", ReportLabel.Spam));
        Assert.Empty(await _h.ExamplesAsync());
        Assert.False(_h.Journal.HasPending);
    }

    [Fact]
    public async Task AnotherSitesCheck_IsNotFound_UntilSiteKeysExist()
    {
        var id = await CheckAsync(Comment());

        await Assert.ThrowsAsync<CheckOfAnotherSiteException>(() => ReportAsync(id, ReportLabel.Spam, "https://other.example/"));
        Assert.Equal((0, 0), await IpReportsAsync());
    }

    [Fact]
    public async Task ExpiredCheck_IsNotFound()
    {
        using var h = new FeedbackHarness(new FixedContributionModel("fixed-1", new Thresholds(0.5, 0.99), -2.0),
            new FeedbackOptions { CheckRetentionDays = 0.5 / 86_400 });
        var id = (await h.Checks.CheckAsync(Comment(), CancellationToken.None)).CheckId;
        await Task.Delay(700);

        await Assert.ThrowsAsync<CheckNotFoundException>(() =>
            h.Feedback.ReportAsync(new FeedbackReport(ReportLabel.Spam, TestComments.Site.ToString(), id, null), CancellationToken.None));
    }

    [Fact]
    public async Task ByComment_GetsAStableIdAndIsIdempotent()
    {
        var comment = Comment("spam sent again in full") with { AuthorEmail = "x@spam.example" };
        var report = new FeedbackReport(ReportLabel.Spam, comment.Site.ToString(), null, comment);

        var first = await _h.Feedback.ReportAsync(report, CancellationToken.None);
        var again = await _h.Feedback.ReportAsync(report, CancellationToken.None);
        var edited = await _h.Feedback.ReportAsync(report with { Comment = comment with { Content = "other text" } }, CancellationToken.None);

        Assert.Equal(FeedbackOutcome.Recorded, first.Outcome);
        Assert.True(CheckId.IsWellFormed(first.CheckId));
        Assert.Equal(new FeedbackResult(first.CheckId, FeedbackOutcome.Repeated), again);
        Assert.NotEqual(first.CheckId, edited.CheckId);
        Assert.Equal((2, 0), await IpReportsAsync());
        // The derived id can be used like a check id from then on.
        Assert.Equal(FeedbackOutcome.Corrected, (await ReportAsync(first.CheckId, ReportLabel.Ham)).Outcome);
    }

    [Fact]
    public async Task TestComment_IsNotLearned()
    {
        var comment = Comment() with { IsTest = true };

        var result = await _h.Feedback.ReportAsync(new FeedbackReport(ReportLabel.Spam, comment.Site.ToString(), null, comment), CancellationToken.None);

        Assert.Equal(FeedbackOutcome.TestNotLearned, result.Outcome);
        Assert.Equal((0, 0), await IpReportsAsync());
        Assert.Empty(await _h.ExamplesAsync());
    }

    [Fact]
    public async Task StoresDown_ReportIsQueued_ThenReplayedExactlyOnce()
    {
        var id = await CheckAsync(Comment());
        _h.AllDown = true;

        var result = await ReportAsync(id, ReportLabel.Spam);

        Assert.Equal(FeedbackOutcome.Queued, result.Outcome);
        Assert.True(_h.Journal.HasPending);
        Assert.Equal(1, _h.Counter("spamguard.reports.journaled"));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => _h.Feedback.ReplayJournalAsync(CancellationToken.None));
        Assert.True(_h.Journal.HasPending);

        _h.AllDown = false;
        Assert.Equal(1, await _h.Feedback.ReplayJournalAsync(CancellationToken.None));
        Assert.Equal(0, await _h.Feedback.ReplayJournalAsync(CancellationToken.None));

        Assert.False(_h.Journal.HasPending);
        Assert.Equal((1, 0), await IpReportsAsync());
        Assert.Single(await _h.ExamplesAsync());
        Assert.Equal(FeedbackOutcome.Repeated, (await ReportAsync(id, ReportLabel.Spam)).Outcome);
    }

    [Fact]
    public async Task OutageAfterTheCheckRecordTookTheReport_ResumesWithoutCountingTwice()
    {
        var id = await CheckAsync(Comment());
        _h.Reputation.Down = true;

        Assert.Equal(FeedbackOutcome.Queued, (await ReportAsync(id, ReportLabel.Spam)).Outcome);
        _h.Reputation.Down = false;
        await _h.Feedback.ReplayJournalAsync(CancellationToken.None);

        Assert.Equal((1, 0), await IpReportsAsync());
        Assert.Single(await _h.ExamplesAsync());
    }

    [Fact]
    public async Task ReplayCutShortByAnotherOutage_ResumesEachReportWhereItStopped()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await CheckAsync(Comment($"text number {i}")));
        }

        _h.AllDown = true;
        foreach (var id in ids)
        {
            Assert.Equal(FeedbackOutcome.Queued, (await ReportAsync(id, ReportLabel.Spam)).Outcome);
        }

        _h.AllDown = false;
        // The example store fails on its second append: report 0 is done, report 1 has reached reputation.
        _h.Examples.FailAfter = 1;
        await Assert.ThrowsAsync<StoreUnavailableException>(() => _h.Feedback.ReplayJournalAsync(CancellationToken.None));
        Assert.Equal((2, 0), await IpReportsAsync());

        _h.Examples.Down = false;
        _h.Examples.FailAfter = null;
        await _h.Feedback.ReplayJournalAsync(CancellationToken.None);

        Assert.False(_h.Journal.HasPending);
        Assert.Equal((3, 0), await IpReportsAsync());
        Assert.Equal(ids, (await _h.ExamplesAsync()).Select(e => e.CheckId));
    }

    [Fact]
    public async Task ReportsArrivingDuringAReplay_GoToAFreshJournal()
    {
        var id = await CheckAsync(Comment("first"));
        _h.AllDown = true;
        await ReportAsync(id, ReportLabel.Spam);
        _h.AllDown = false;
        await _h.Feedback.ReplayJournalAsync(CancellationToken.None);

        var second = await CheckAsync(Comment("second"));
        _h.AllDown = true;
        await ReportAsync(second, ReportLabel.Spam);
        _h.AllDown = false;

        Assert.Equal(1, await _h.Feedback.ReplayJournalAsync(CancellationToken.None));
        Assert.Equal(2, (await _h.ExamplesAsync()).Count);
    }

    [Theory]
    [InlineData("check record")]
    [InlineData("reputation")]
    public async Task ReportWhoseReplyWasLost_IsCountedOnceWhenReplayed(string storeThatLosesTheReply)
    {
        var id = await CheckAsync(Comment());
        if (storeThatLosesTheReply == "reputation")
        {
            _h.Reputation.LoseNextReply = true;
        }
        else
        {
            _h.Records.LoseNextReply = true;
        }

        Assert.Equal(FeedbackOutcome.Queued, (await ReportAsync(id, ReportLabel.Spam)).Outcome);
        await _h.Feedback.ReplayJournalAsync(CancellationToken.None);

        Assert.Equal((1, 0), await IpReportsAsync());
        Assert.Single(await _h.ExamplesAsync());
    }

    [Fact]
    public async Task CorrectionWhoseReplyWasLost_StillTakesTheEarlierReportBack()
    {
        var id = await CheckAsync(Comment());
        await ReportAsync(id, ReportLabel.Spam);
        _h.Records.LoseNextReply = true;

        Assert.Equal(FeedbackOutcome.Queued, (await ReportAsync(id, ReportLabel.Ham)).Outcome);
        await _h.Feedback.ReplayJournalAsync(CancellationToken.None);

        Assert.Equal((0, 1), await IpReportsAsync());
        Assert.Equal([ReportLabel.Spam, ReportLabel.Ham], (await _h.ExamplesAsync()).Select(e => e.Label));
    }
}
