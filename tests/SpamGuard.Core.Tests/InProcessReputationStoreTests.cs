using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Reputation;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Core.Tests;

public sealed class InProcessReputationStoreTests : ReputationStoreContract
{
    protected override Task<IReputationStore> StoreAsync() => Task.FromResult<IReputationStore>(new InProcessReputationStore());

    [Fact]
    public async Task SubjectsIdleLongerThanTheRetention_AreSweptOut()
    {
        var store = new InProcessReputationStore(new FixedTime(Noon));
        await store.RecordCheckAsync([new ReputationSubject(SubjectKind.Ip, "ip:old")], "https://blog.example/", false, Noon.AddDays(-40), CancellationToken.None);
        var recent = new ReputationSubject(SubjectKind.Ip, "ip:recent");

        for (var i = 1; i < InProcessReputationStore.SweepEvery; i++)
        {
            await store.RecordCheckAsync([recent], "https://blog.example/", false, Noon, CancellationToken.None);
        }

        Assert.Equal(1, store.SubjectCount);
    }

    [Fact]
    public async Task PastMaxSubjects_TheLeastRecentlyWrittenGo_CountedByTheMetric_AndGoneFromDiskToo()
    {
        // Arrange
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        long evicted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "spamguard.reputation.subjects_evicted")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref evicted, value));
        listener.Start();
        var store = new InProcessReputationStore(new FixedTime(Noon), trackChanges: true, maxSubjects: 1_000, new SpamGuardMetrics(factory));
        var subjects = Enumerable.Range(0, 1_500).Select(i => new ReputationSubject(SubjectKind.Content, $"content:{i:D6}")).ToList();

        // Act: one subject per minute, the first the oldest.
        for (var i = 0; i < subjects.Count; i++)
        {
            await store.RecordCheckAsync([subjects[i]], "https://blog.example/", false, Noon.AddMinutes(i - subjects.Count), CancellationToken.None);
        }

        var changes = store.TakeChanges();

        // Assert: back to at most the cap each time it was passed, the oldest out first.
        Assert.InRange(store.SubjectCount, 900, 1_000);
        Assert.Equal(1_500 - store.SubjectCount, Interlocked.Read(ref evicted));
        Assert.True((await store.ReadAsync([subjects[0]], "https://blog.example/", Noon, CancellationToken.None))[0].Counts.IsEmpty);
        Assert.False((await store.ReadAsync([subjects[^1]], "https://blog.example/", Noon, CancellationToken.None))[0].Counts.IsEmpty);
        var kept = new HashSet<ReputationSubject>(changes.Where(c => c.State is not null).Select(c => c.Subject));
        Assert.Equal(store.SubjectCount, kept.Count);
        Assert.DoesNotContain(subjects[0], kept);
        Assert.All(changes.Where(c => c.State is null), c => Assert.True(subjects.IndexOf(c.Subject) < 600));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

public sealed class InProcessReputationSnapshotTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ReputationSubject Ip = new(SubjectKind.Ip, "ip:AAAAAAAAAAAAAAAAAAAAAA");
    private static readonly ReputationSubject Email = new(SubjectKind.Email, "em:CCCCCCCCCCCCCCCCCCCCCC");
    private const string Blog = "https://blog.example/";
    private static readonly string[] Others = ["https://a.example/", "https://b.example/"];

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static InProcessReputationStore Tracked() => new(new FixedTime(Noon), trackChanges: true);

    [Fact]
    public async Task ARestoredStore_ReadsWhatTheFirstOneRead_AndStillCountsEachReportOnce()
    {
        var first = Tracked();
        await first.RecordCheckAsync([Ip, Email], Blog, true, Noon.AddMinutes(-3), CancellationToken.None);
        await first.RecordCheckAsync([Ip], Blog, false, Noon.AddHours(-5), CancellationToken.None);
        await first.RecordReportAsync([Ip], Blog, ReportLabel.Spam, Noon.AddMinutes(-2), null, "entry-1", CancellationToken.None);
        foreach (var other in Others)
        {
            await first.RecordReportAsync([Ip], other, ReportLabel.Ham, Noon.AddMinutes(-1), null, "entry-" + other, CancellationToken.None);
        }

        var second = Tracked();
        foreach (var change in first.TakeChanges())
        {
            second.Restore(change.Subject, Assert.IsType<byte[]>(change.State));
        }

        await second.RecordReportAsync([Ip], Blog, ReportLabel.Spam, Noon.AddMinutes(-2), null, "entry-1", CancellationToken.None);
        var before = await first.ReadAsync([Ip, Email], Blog, Noon, CancellationToken.None);
        var after = await second.ReadAsync([Ip, Email], Blog, Noon, CancellationToken.None);

        Assert.Equal(before.Select(r => r.Counts), after.Select(r => r.Counts));
        Assert.Equal(before[0].OtherSites.OrderBy(s => s.Reporter), after[0].OtherSites.OrderBy(s => s.Reporter));
        Assert.Equal(2, after[0].Count(ReputationCounter.Checks, ReputationWindow.LastDay));
        Assert.Equal(1, after[0].Count(ReputationCounter.SpamVerdicts, ReputationWindow.LastHour));
        Assert.Equal(1, after[0].Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days));
        Assert.Equal(2, after[0].OtherSites.Count(s => s.Label == ReportLabel.Ham));
    }

    [Fact]
    public async Task Changes_NameEachChangedSubjectOnce_AndAnErasedOneAsGone()
    {
        var store = Tracked();
        await store.RecordCheckAsync([Ip, Email], Blog, false, Noon, CancellationToken.None);
        await store.RecordCheckAsync([Ip], Blog, false, Noon, CancellationToken.None);
        Assert.Equal(2, store.TakeChanges().Count);
        Assert.Empty(store.TakeChanges());

        await store.EraseAsync([Email], CancellationToken.None);
        var erased = Assert.Single(store.TakeChanges());

        Assert.Equal(Email, erased.Subject);
        Assert.Null(erased.State);
    }

    [Fact]
    public async Task AFailedSnapshot_HandedBack_IsTakenAgain()
    {
        var store = Tracked();
        await store.RecordCheckAsync([Ip], Blog, false, Noon, CancellationToken.None);
        var lost = store.TakeChanges();

        store.MarkChanged(lost.Select(c => c.Subject));

        Assert.Equal(Ip, Assert.Single(store.TakeChanges()).Subject);
    }

    [Fact]
    public async Task AStoreThatDoesNotTrack_ReportsNoChanges()
    {
        var store = new InProcessReputationStore(new FixedTime(Noon));
        await store.RecordCheckAsync([Ip], Blog, false, Noon, CancellationToken.None);

        Assert.Empty(store.TakeChanges());
    }

    [Fact]
    public async Task AStateOlderThanTheRetention_IsNotLoaded()
    {
        var old = Tracked();
        await old.RecordCheckAsync([Ip], Blog, false, Noon.AddDays(-40), CancellationToken.None);
        var state = Assert.Single(old.TakeChanges()).State!;

        var store = Tracked();
        store.Restore(Ip, state);

        Assert.True((await store.ReadAsync([Ip], Blog, Noon, CancellationToken.None))[0].Counts.IsEmpty);
    }

    [Fact]
    public void ACorruptState_IsRefusedWithAClearError()
    {
        var store = Tracked();

        Assert.Throws<InvalidDataException>(() => store.Restore(Ip, [9, 0, 0]));
    }
}
