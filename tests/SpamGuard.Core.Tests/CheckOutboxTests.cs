using System.Net;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Tests;

/// <summary>
/// Checks made while the record store is down go to the local outbox and can still be reported; reports answered
/// QUEUED are applied exactly once or kept as failed with a reason, never dropped; the local files are owner-only.
/// </summary>
public sealed class CheckOutboxTests : IDisposable
{
    private static readonly IPAddress Ip = IPAddress.Parse("198.51.100.23");
    private readonly FeedbackHarness _h = new(new FixedContributionModel("fixed-1", new Thresholds(0.5, 0.99), -2.0));

    public void Dispose() => _h.Dispose();

    private static Comment Comment(string content) => TestComments.With(content) with { UserIp = Ip };

    private async Task<string> CheckAsync(string content) => (await _h.Checks.CheckAsync(Comment(content), CancellationToken.None)).CheckId;

    private Task<FeedbackResult> ReportAsync(string checkId, ReportLabel label) =>
        _h.Feedback.ReportAsync(new FeedbackReport(label, TestComments.Site.ToString(), checkId, null), CancellationToken.None);

    private async Task<long> IpSpamReportsAsync()
    {
        var read = await _h.Reputation.Inner.ReadAsync([new ReputationSubject(SubjectKind.Ip, _h.Pseudonyms.Ip(Ip))], TestComments.Site.ToString(), DateTimeOffset.UtcNow, CancellationToken.None);
        return read[0].Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days);
    }

    [Fact]
    public async Task CheckDuringAnOutage_ReportedAfterRecovery_IsRecorded_AndCountedOnce()
    {
        _h.AllDown = true;
        var id = await CheckAsync("checked while the store is down");
        _h.AllDown = false;

        var first = await ReportAsync(id, ReportLabel.Spam);
        var again = await ReportAsync(id, ReportLabel.Spam);

        Assert.Equal(FeedbackOutcome.Recorded, first.Outcome);
        Assert.Equal(FeedbackOutcome.Repeated, again.Outcome);
        Assert.Equal(1, await IpSpamReportsAsync());
        Assert.Empty(_h.Outbox.Entries);
        Assert.NotNull(await _h.Records.Inner.GetAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task CheckAndReportDuringAnOutage_SurviveARestart_AndAreAppliedExactlyOnce()
    {
        // Arrange: the check's record and its report both miss the store.
        _h.AllDown = true;
        var id = await CheckAsync("checked and reported while the store is down");
        var queued = await ReportAsync(id, ReportLabel.Spam);

        // Act: what a restarted node reads back from the same directory.
        using var outboxAfterRestart = new CheckOutbox(_h.DataDirectory, 10);
        using var journalAfterRestart = new ReportJournal(_h.DataDirectory);
        _h.AllDown = false;
        var applied = await _h.Feedback.ReplayJournalAsync(CancellationToken.None);
        var appliedAgain = await _h.Feedback.ReplayJournalAsync(CancellationToken.None);

        // Assert
        Assert.Equal(FeedbackOutcome.Queued, queued.Outcome);
        Assert.Equal(id, Assert.Single(outboxAfterRestart.Entries).Record.CheckId);
        Assert.NotNull(outboxAfterRestart.Entries[0].Record.Receipt);
        Assert.Equal(1, journalAfterRestart.PendingCount);
        Assert.Equal((1, 0), (applied, appliedAgain));
        Assert.Equal(1, await IpSpamReportsAsync());
        Assert.Single(await _h.ExamplesAsync());
        Assert.Equal(0, _h.Feedback.PendingReports);
        Assert.Equal(0, _h.Feedback.FailedReports);
        Assert.Equal(1, _h.Counter("spamguard.reports.replayed"));
    }

    [Fact]
    public async Task QueuedReportOfACheckTheStoreLost_IsKeptAsFailedWithItsReason_AndNotCountedAsReplayed()
    {
        // A check whose record the store lost (say, Redis restarted without persistence) and not in the outbox.
        var id = CheckId.New();
        _h.AllDown = true;
        var queued = await ReportAsync(id, ReportLabel.Spam);
        _h.AllDown = false;

        var applied = await _h.Feedback.ReplayJournalAsync(CancellationToken.None);

        Assert.Equal(FeedbackOutcome.Queued, queued.Outcome);
        Assert.Equal(0, applied);
        var failed = Assert.Single(_h.Journal.Failed());
        Assert.Equal(id, failed.Report.CheckId);
        Assert.StartsWith("check_not_found", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(1, _h.Feedback.FailedReports);
        Assert.Equal(0, _h.Feedback.PendingReports);
        Assert.Equal(1, _h.Counter("spamguard.reports.failed"));
        Assert.Equal(0, _h.Counter("spamguard.reports.replayed"));
        Assert.False(_h.Journal.HasPending);
    }

    [Fact]
    public async Task Flush_MovesWaitingRecordsToTheStore_DropsExpiredOnes_AndEmptiesTheFile()
    {
        _h.AllDown = true;
        var id = await CheckAsync("waits in the outbox");
        _h.AllDown = false;

        var moved = await _h.Outboxed.FlushAsync(CancellationToken.None);

        Assert.Equal(1, moved);
        var stored = await _h.Records.Inner.GetAsync(id, CancellationToken.None);
        Assert.NotNull(stored?.Receipt);
        Assert.Empty(_h.Outbox.Entries);
        Assert.False(File.Exists(_h.Outbox.Path));
        Assert.Equal(1, _h.Counter("spamguard.checks.outbox.flushed"));
    }

    [Fact]
    public async Task ExpiredRecordInTheOutbox_IsNotFlushed_AndIsCountedLost()
    {
        var outboxed = _h.Outboxed;
        _h.Records.Down = true;
        var record = new CheckRecord(CheckId.New(), TestComments.Site.ToString(), DateTimeOffset.UtcNow, [], "text", "", false);
        await outboxed.SaveAsync(record, TimeSpan.FromMilliseconds(500), CancellationToken.None);
        _h.Records.Down = false;

        var moved = await outboxed.FlushAsync(CancellationToken.None);

        Assert.Equal(0, moved);
        Assert.Empty(_h.Outbox.Entries);
        Assert.Null(await _h.Records.Inner.GetAsync(record.CheckId, CancellationToken.None));
        Assert.Equal(1, _h.Counter("spamguard.checks.outbox.lost"));
    }

    [Fact]
    public async Task Erasure_ReachesRecordsWaitingInTheOutbox_OnDiskToo()
    {
        _h.AllDown = true;
        await CheckAsync("a record of the person who asks to be erased");
        _h.AllDown = false;

        var erased = await _h.Outboxed.EraseAsync(new HashSet<string>(StringComparer.Ordinal) { _h.Pseudonyms.Ip(Ip) }, CancellationToken.None);
        using var afterRestart = new CheckOutbox(_h.DataDirectory, 10);

        Assert.Equal(1, erased);
        Assert.Empty(_h.Outbox.Entries);
        Assert.Empty(afterRestart.Entries);
    }

    [Fact]
    public async Task JournalOutboxAndFailedFiles_AreOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Arrange: a check and two reports miss the store; a first replay is cut short, leaving every journal file.
        _h.AllDown = true;
        var id = await CheckAsync("kept locally");
        await ReportAsync(id, ReportLabel.Spam);
        await ReportAsync(CheckId.New(), ReportLabel.Ham);
        _h.AllDown = false;
        _h.Records.Down = true;
        await Assert.ThrowsAsync<StoreUnavailableException>(() => _h.Feedback.ReplayJournalAsync(CancellationToken.None));
        await ReportAsync(id, ReportLabel.Ham);
        var whileWaiting = Directory.GetFiles(_h.DataDirectory, "*.jsonl").ToDictionary(f => Path.GetFileName(f), File.GetUnixFileMode);

        // Act: the store is back; the report of an unknown check is kept as failed.
        _h.Records.Down = false;
        await _h.Feedback.ReplayJournalAsync(CancellationToken.None);
        await _h.Feedback.ReplayJournalAsync(CancellationToken.None);

        // Assert
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Contains("journal.jsonl", whileWaiting.Keys);
        Assert.Contains("journal.replaying.jsonl", whileWaiting.Keys);
        Assert.Contains(CheckOutbox.FileName, whileWaiting.Keys);
        Assert.All(whileWaiting, file => Assert.Equal(ownerOnly, file.Value));
        Assert.Equal(ownerOnly, File.GetUnixFileMode(_h.Journal.FailedPath));
        Assert.Single(_h.Journal.Failed());
    }
}
