using SpamGuard.Core.Reputation;

namespace SpamGuard.Testing.Contracts;

/// <summary>
/// What every <see cref="IReputationStore"/> must do; the in-process and the Redis store run the same tests (this
/// file is compiled into both test projects).
/// </summary>
public abstract class ReputationStoreContract
{
    protected static readonly DateTimeOffset Noon = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    protected const string Blog = "https://blog.example/";
    protected const string Other = "https://other.example/";

    private static readonly ReputationSubject Ip = new(SubjectKind.Ip, "ip:AAAAAAAAAAAAAAAAAAAAAA");
    private static readonly ReputationSubject Host = new(SubjectKind.LinkHost, "host:BBBBBBBBBBBBBBBBBBBBBB");

    protected abstract Task<IReputationStore> StoreAsync();

    private static string NewEntry() => "entry-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task AReportAppliedAgain_IsCountedOnce_AndSoIsItsCorrection()
    {
        var store = await StoreAsync();
        var spam = NewEntry();
        var ham = NewEntry();
        var reportedAt = Noon.AddMinutes(-30);

        // As a replay does when the reply to the first attempt was lost after the store had applied it.
        await store.RecordReportAsync([Ip, Host], Blog, ReportLabel.Spam, reportedAt, null, spam, CancellationToken.None);
        await store.RecordReportAsync([Ip, Host], Blog, ReportLabel.Spam, reportedAt, null, spam, CancellationToken.None);
        var afterSpam = await store.ReadAsync([Ip, Host], Blog, Noon, CancellationToken.None);
        await store.RecordReportAsync([Ip], Blog, ReportLabel.Ham, Noon.AddMinutes(-1), new ReportCorrection(ReportLabel.Spam, reportedAt), ham, CancellationToken.None);
        await store.RecordReportAsync([Ip], Blog, ReportLabel.Ham, Noon.AddMinutes(-1), new ReportCorrection(ReportLabel.Spam, reportedAt), ham, CancellationToken.None);
        var ip = Assert.Single(await store.ReadAsync([Ip], Blog, Noon, CancellationToken.None));

        Assert.All(afterSpam, r => Assert.Equal(1, r.Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days)));
        Assert.Equal(0, ip.Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days));
        Assert.Equal(1, ip.Count(ReputationCounter.HamReports, ReputationWindow.Last30Days));
    }

    [Fact]
    public async Task AReportAppliedAgainWeeksLater_AfterChecksHaveTidiedTheSubject_IsStillCountedOnce()
    {
        var store = await StoreAsync();
        var entry = NewEntry();
        var later = Noon.AddDays(20);

        await store.RecordReportAsync([Ip], Blog, ReportLabel.Spam, Noon, null, entry, CancellationToken.None);
        await store.RecordCheckAsync([Ip], Blog, false, later, CancellationToken.None);
        await store.RecordCheckAsync([Ip], Blog, false, later.AddMinutes(10), CancellationToken.None);
        await store.RecordReportAsync([Ip], Blog, ReportLabel.Spam, Noon, null, entry, CancellationToken.None);
        var ip = Assert.Single(await store.ReadAsync([Ip], Blog, later, CancellationToken.None));

        Assert.Equal(1, ip.Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days));
        Assert.Equal(2, ip.Count(ReputationCounter.Checks, ReputationWindow.Last30Days));
    }

    [Fact]
    public async Task RecordCheck_ReturnsCountsFromBeforeTheCheck()
    {
        var store = await StoreAsync();

        var first = await store.RecordCheckAsync([Ip, Host], Blog, modelSaysSpam: true, Noon, CancellationToken.None);
        var second = await store.RecordCheckAsync([Ip], Blog, modelSaysSpam: false, Noon.AddMinutes(1), CancellationToken.None);

        Assert.Equal(2, first.Count);
        Assert.All(first, r => Assert.Equal(0, r.Count(ReputationCounter.Checks, ReputationWindow.LastHour)));
        var ip = Assert.Single(second);
        Assert.Equal(Ip, ip.Subject);
        Assert.Equal(1, ip.Count(ReputationCounter.Checks, ReputationWindow.LastHour));
        Assert.Equal(1, ip.Count(ReputationCounter.SpamVerdicts, ReputationWindow.LastDay));
    }

    [Fact]
    public async Task Read_SeesCountsAndRecordsNothing()
    {
        var store = await StoreAsync();
        await store.RecordReportAsync([Ip], Blog, ReportLabel.Spam, Noon.AddMinutes(-5), null, NewEntry(), CancellationToken.None);

        var unknown = await store.ReadAsync([Host], Blog, Noon, CancellationToken.None);
        var first = await store.ReadAsync([Ip, Host], Blog, Noon, CancellationToken.None);
        var second = await store.ReadAsync([Ip, Host], Blog, Noon, CancellationToken.None);

        Assert.Equal(0, Assert.Single(unknown).Count(ReputationCounter.Checks, ReputationWindow.Last30Days));
        Assert.Equal(1, first.Single(r => r.Subject == Ip).Count(ReputationCounter.SpamReports, ReputationWindow.LastHour));
        Assert.All(second, r => Assert.Equal(0, r.Count(ReputationCounter.Checks, ReputationWindow.Last30Days)));
        Assert.Equal(1, second.Single(r => r.Subject == Ip).Count(ReputationCounter.SpamReports, ReputationWindow.LastHour));
    }

    [Fact]
    public async Task Reports_AreCountedPerSubjectAndWindow()
    {
        var store = await StoreAsync();

        await store.RecordReportAsync([Ip], Blog, ReportLabel.Spam, Noon.AddHours(-3), null, NewEntry(), CancellationToken.None);
        await store.RecordReportAsync([Ip, Host], Blog, ReportLabel.Spam, Noon.AddMinutes(-5), null, NewEntry(), CancellationToken.None);
        await store.RecordReportAsync([Host], Blog, ReportLabel.Ham, Noon.AddMinutes(-1), null, NewEntry(), CancellationToken.None);
        var read = await store.RecordCheckAsync([Ip, Host], Blog, false, Noon, CancellationToken.None);

        var ip = read.Single(r => r.Subject == Ip);
        var host = read.Single(r => r.Subject == Host);
        Assert.Equal(1, ip.Count(ReputationCounter.SpamReports, ReputationWindow.LastHour));
        Assert.Equal(2, ip.Count(ReputationCounter.SpamReports, ReputationWindow.LastDay));
        Assert.Equal(1, host.Count(ReputationCounter.SpamReports, ReputationWindow.LastDay));
        Assert.Equal(1, host.Count(ReputationCounter.HamReports, ReputationWindow.LastDay));
        Assert.Equal(0, ip.Count(ReputationCounter.HamReports, ReputationWindow.Last30Days));
    }

    [Fact]
    public async Task OppositeReport_ReplacesTheEarlierOne()
    {
        var store = await StoreAsync();
        var reportedAt = Noon.AddMinutes(-30);

        await store.RecordReportAsync([Ip], Blog, ReportLabel.Spam, reportedAt, null, NewEntry(), CancellationToken.None);
        await store.RecordReportAsync([Ip], Blog, ReportLabel.Ham, Noon.AddMinutes(-1), new ReportCorrection(ReportLabel.Spam, reportedAt), NewEntry(), CancellationToken.None);
        var ip = Assert.Single(await store.RecordCheckAsync([Ip], Blog, false, Noon, CancellationToken.None));

        Assert.Equal(0, ip.Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days));
        Assert.Equal(1, ip.Count(ReputationCounter.HamReports, ReputationWindow.Last30Days));
    }

    [Fact]
    public async Task CorrectionOfAReportNeverCounted_DoesNotGoBelowZero()
    {
        var store = await StoreAsync();

        await store.RecordReportAsync([Ip], Blog, ReportLabel.Ham, Noon.AddMinutes(-1), new ReportCorrection(ReportLabel.Spam, Noon.AddMinutes(-2)), NewEntry(), CancellationToken.None);
        var ip = Assert.Single(await store.RecordCheckAsync([Ip], Blog, false, Noon, CancellationToken.None));

        Assert.Equal(0, ip.Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days));
    }

    [Fact]
    public async Task OldActivity_LeavesTheWindows()
    {
        var store = await StoreAsync();

        await store.RecordReportAsync([Ip], Blog, ReportLabel.Spam, Noon.AddDays(-40), null, NewEntry(), CancellationToken.None);
        await store.RecordCheckAsync([Ip], Blog, true, Noon.AddDays(-2), CancellationToken.None);
        var ip = Assert.Single(await store.RecordCheckAsync([Ip], Blog, false, Noon, CancellationToken.None));

        Assert.Equal(0, ip.Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days));
        Assert.Equal(0, ip.Count(ReputationCounter.Checks, ReputationWindow.LastDay));
        Assert.Equal(1, ip.Count(ReputationCounter.Checks, ReputationWindow.Last30Days));
    }

    [Fact]
    public async Task ConcurrentChecks_AreAllCounted()
    {
        var store = await StoreAsync();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => store.RecordCheckAsync([Ip, Host], Blog, i % 2 == 0, Noon, CancellationToken.None)));
        var read = await store.RecordCheckAsync([Ip, Host], Blog, false, Noon, CancellationToken.None);

        Assert.All(read, r => Assert.Equal(200, r.Count(ReputationCounter.Checks, ReputationWindow.LastHour)));
        Assert.All(read, r => Assert.Equal(100, r.Count(ReputationCounter.SpamVerdicts, ReputationWindow.LastHour)));
    }

    [Fact]
    public async Task NoSubjects_IsANoOp()
    {
        var store = await StoreAsync();

        Assert.Empty(await store.RecordCheckAsync([], Blog, true, Noon, CancellationToken.None));
        await store.RecordReportAsync([], Blog, ReportLabel.Spam, Noon, null, NewEntry(), CancellationToken.None);
    }

    [Fact]
    public async Task SameSubjectTwiceInOneCall_IsCountedOnce()
    {
        var store = await StoreAsync();

        await store.RecordCheckAsync([Host, Host], Blog, false, Noon, CancellationToken.None);
        var read = await store.RecordCheckAsync([Host], Blog, false, Noon, CancellationToken.None);

        Assert.Equal(1, Assert.Single(read).Count(ReputationCounter.Checks, ReputationWindow.LastHour));
    }

    [Fact]
    public async Task Erase_DeletesTheSubjectsEntries_AndNoOthers()
    {
        var store = await StoreAsync();
        await store.RecordReportAsync([Ip, Host], Blog, ReportLabel.Spam, Noon, null, NewEntry(), CancellationToken.None);

        var erased = await store.EraseAsync([Ip, new ReputationSubject(SubjectKind.Email, "email:never-seen")], CancellationToken.None);
        var again = await store.EraseAsync([Ip], CancellationToken.None);

        Assert.Equal(1, erased);
        Assert.Equal(0, again);
        var read = await store.ReadAsync([Ip, Host], Blog, Noon, CancellationToken.None);
        Assert.Equal(0, read.Single(r => r.Subject == Ip).Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days));
        Assert.Equal(1, read.Single(r => r.Subject == Host).Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days));
    }

    [Fact]
    public async Task ASitesReports_AreCountsForItself_AndOneReporterForOthers()
    {
        var store = await StoreAsync();

        for (var i = 0; i < 25; i++)
        {
            await store.RecordReportAsync([Ip], Blog, ReportLabel.Ham, Noon.AddMinutes(-30 + i), null, NewEntry(), CancellationToken.None);
        }

        var own = Assert.Single(await store.ReadAsync([Ip], Blog, Noon, CancellationToken.None));
        var other = Assert.Single(await store.RecordCheckAsync([Ip], Other, true, Noon, CancellationToken.None));

        Assert.Equal(25, own.Count(ReputationCounter.HamReports, ReputationWindow.LastHour));
        Assert.Empty(own.OtherSites);
        Assert.Equal(0, other.Count(ReputationCounter.HamReports, ReputationWindow.Last30Days));
        var reporter = Assert.Single(other.OtherSites);
        Assert.Equal(new SiteReport(ReportingSites.Id(Blog), ReportLabel.Ham, Noon.AddMinutes(-6)), reporter);
    }

    [Fact]
    public async Task ChecksAndVerdicts_AreSharedByEverySite()
    {
        var store = await StoreAsync();

        await store.RecordCheckAsync([Ip], Blog, true, Noon, CancellationToken.None);
        var other = Assert.Single(await store.RecordCheckAsync([Ip], Other, false, Noon, CancellationToken.None));

        Assert.Equal(1, other.Count(ReputationCounter.Checks, ReputationWindow.LastHour));
        Assert.Equal(1, other.Count(ReputationCounter.SpamVerdicts, ReputationWindow.LastHour));
    }

    [Fact]
    public async Task Reporters_AreKeptPerLabel_TheMostRecentUpToTheCap()
    {
        var store = await StoreAsync();
        var sites = Enumerable.Range(0, ReportingSites.MaxPerLabel + 4).Select(i => $"https://site{i}.example/").ToList();

        for (var i = 0; i < sites.Count; i++)
        {
            await store.RecordReportAsync([Ip], sites[i], ReportLabel.Spam, Noon.AddMinutes(-100 + i), null, NewEntry(), CancellationToken.None);
        }

        await store.RecordReportAsync([Ip], sites[0], ReportLabel.Ham, Noon.AddMinutes(-1), null, NewEntry(), CancellationToken.None);
        var read = Assert.Single(await store.ReadAsync([Ip], Blog, Noon, CancellationToken.None));

        var spam = read.OtherSites.Where(r => r.Label == ReportLabel.Spam).Select(r => r.Reporter).ToHashSet();
        Assert.Equal(sites.Skip(4).Select(ReportingSites.Id).ToHashSet(), spam);
        Assert.Equal([ReportingSites.Id(sites[0])], read.OtherSites.Where(r => r.Label == ReportLabel.Ham).Select(r => r.Reporter));
    }

    [Fact]
    public async Task ACorrection_TakesTheSiteOffTheReplacedLabel_OnlyWhenNoneOfItsReportsOfThatLabelIsLeft()
    {
        var store = await StoreAsync();
        var first = Noon.AddMinutes(-30);
        var second = Noon.AddMinutes(-20);

        await store.RecordReportAsync([Ip], Blog, ReportLabel.Spam, first, null, NewEntry(), CancellationToken.None);
        await store.RecordReportAsync([Ip], Blog, ReportLabel.Spam, second, null, NewEntry(), CancellationToken.None);
        await store.RecordReportAsync([Ip], Blog, ReportLabel.Ham, Noon.AddMinutes(-10), new ReportCorrection(ReportLabel.Spam, first), NewEntry(), CancellationToken.None);
        var afterOne = Assert.Single(await store.ReadAsync([Ip], Other, Noon, CancellationToken.None));
        await store.RecordReportAsync([Ip], Blog, ReportLabel.Ham, Noon.AddMinutes(-5), new ReportCorrection(ReportLabel.Spam, second), NewEntry(), CancellationToken.None);
        var afterBoth = Assert.Single(await store.ReadAsync([Ip], Other, Noon, CancellationToken.None));

        Assert.Equal([ReportLabel.Spam, ReportLabel.Ham], afterOne.OtherSites.Select(r => r.Label).Order());
        Assert.Equal([ReportLabel.Ham], afterBoth.OtherSites.Select(r => r.Label));
    }

    [Fact]
    public async Task Erase_DeletesEveryReportingSitesEntriesToo()
    {
        var store = await StoreAsync();
        var sites = Enumerable.Range(0, ReportingSites.MaxPerLabel + 2).Select(i => $"https://site{i}.example/").ToList();
        foreach (var site in sites)
        {
            await store.RecordReportAsync([Ip], site, ReportLabel.Spam, Noon.AddMinutes(-5), null, NewEntry(), CancellationToken.None);
        }

        Assert.Equal(1, await store.EraseAsync([Ip], CancellationToken.None));

        foreach (var site in sites)
        {
            var read = Assert.Single(await store.ReadAsync([Ip], site, Noon, CancellationToken.None));
            Assert.Equal(0, read.Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days));
            Assert.Empty(read.OtherSites);
        }
    }
}
