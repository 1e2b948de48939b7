using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Embedded.Tests;

public sealed class SqliteCheckRecordStoreTests : CheckRecordStoreContract, IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new();
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly List<SqliteCheckRecordStore> _stores = [];

    protected override Task<ICheckRecordStore> StoreAsync() => Task.FromResult<ICheckRecordStore>(Open("checks.db"));

    [Fact]
    public async Task PastTheCap_TheOldestGo_CountedByTheMetric_AndAReportOnOneIsNotFound()
    {
        // Arrange
        using var evicted = new EvictionCounter(_meters);
        var store = Open("capped.db", maxRecords: 5, metrics: evicted.Metrics);
        var ids = Enumerable.Range(1, 12).Select(i => $"check-{i:00}").ToList();

        // Act
        foreach (var id in ids)
        {
            await store.SaveAsync(Record(id), Week, CancellationToken.None);
            // One commit per record, so every save past the fifth evicts exactly one.
            await store.FlushAsync(CancellationToken.None);
        }

        // Assert
        Assert.Equal(5, store.StoredCount);
        foreach (var id in ids[..7])
        {
            Assert.Null(await store.GetAsync(id, CancellationToken.None));
        }

        foreach (var id in ids[7..])
        {
            Assert.NotNull(await store.GetAsync(id, CancellationToken.None));
        }

        Assert.Equal(7, evicted.Total);
        var report = await store.ReportAsync(ids[0], "https://blog.example/", ReportLabel.Spam, Noon, "entry-1", CancellationToken.None);
        Assert.Equal(ReportOutcomeKind.NotFound, report.Kind);
    }

    [Fact]
    public async Task ABatchPastTheCap_EvictsTheOldestOnly_AndTheCapHoldsAcrossReopening()
    {
        // Arrange
        var store = Open("batch.db", maxRecords: 100);
        for (var i = 0; i < 250; i++)
        {
            await store.SaveAsync(Record($"r{i:000}"), Week, CancellationToken.None);
        }

        // Act
        await store.DisposeAsync();
        var reopened = Open("batch.db", maxRecords: 100);
        await reopened.SaveAsync(Record("r250"), Week, CancellationToken.None);
        await reopened.FlushAsync(CancellationToken.None);

        // Assert
        Assert.Equal(100, reopened.StoredCount);
        Assert.Null(await reopened.GetAsync("r150", CancellationToken.None));
        Assert.NotNull(await reopened.GetAsync("r151", CancellationToken.None));
        Assert.NotNull(await reopened.GetAsync("r250", CancellationToken.None));
    }

    [Fact]
    public async Task QueuedRecords_AreReadableAndReportable_BeforeTheyReachTheDisk()
    {
        // Arrange
        var store = Open("queued.db");
        var receipt = new CheckReceipt(SpamGuard.Core.Scoring.Verdict.Spam, 0.93, "spamguard-test", []) { Summary = "queued" };
        Task<ReportOutcome> report;
        using (await store.HoldWritesAsync())
        {
            // Act
            await store.SaveAsync(Record("q1"), Week, CancellationToken.None);
            await store.SaveAsync(Record("q2"), Week, CancellationToken.None);
            store.AttachReceipt("q1", receipt);
            var read = await store.GetAsync("q1", CancellationToken.None);

            // Assert: still queued, yet readable whole.
            Assert.Equal(2, store.QueuedCount);
            Assert.Equal(0, store.StoredCount);
            Assert.Equal("queued", read?.Receipt?.Summary);
            Assert.NotNull(await store.GetAsync("q2", CancellationToken.None));
            report = store.ReportAsync("q2", "https://blog.example/", ReportLabel.Spam, Noon, "entry-q2", CancellationToken.None);
        }

        Assert.Equal(ReportOutcomeKind.Recorded, (await report.WaitAsync(Deadline)).Kind);
    }

    [Fact]
    public async Task EveryAcceptedRecord_SurvivesAGracefulStop()
    {
        // Arrange
        var store = Open("restart.db");
        var ids = Enumerable.Range(0, 3000).Select(i => $"restart-{i}").ToList();
        foreach (var id in ids)
        {
            await store.SaveAsync(Record(id) with { Content = "content of " + id }, Week, CancellationToken.None);
        }

        store.AttachReceipt(ids[^1], new CheckReceipt(SpamGuard.Core.Scoring.Verdict.Ham, 0.1, "spamguard-test", []) { Summary = "last" });

        // Act
        await store.StopAsync().WaitAsync(Deadline);
        var reopened = Open("restart.db");

        // Assert
        Assert.Equal(ids.Count, reopened.StoredCount);
        foreach (var id in ids)
        {
            Assert.Equal("content of " + id, (await reopened.GetAsync(id, CancellationToken.None))?.Content);
        }

        Assert.Equal("last", (await reopened.GetAsync(ids[^1], CancellationToken.None))?.Receipt?.Summary);
    }

    [Fact]
    public async Task SavesAfterTheStop_AreWrittenDirectly()
    {
        var store = Open("stopped.db");
        await store.StopAsync().WaitAsync(Deadline);

        await store.SaveAsync(Record("late"), Week, CancellationToken.None);

        Assert.Equal(1, store.StoredCount);
        Assert.NotNull(await Open("stopped.db").GetAsync("late", CancellationToken.None));
    }

    [Fact]
    public async Task AFullQueue_MakesTheNextSaveWait_UntilTheWriterCatchesUp()
    {
        // Arrange
        var store = Open("full.db");
        Task blocked;
        using (await store.HoldWritesAsync())
        {
            for (var i = 0; i < SqliteCheckRecordStore.QueueCapacity; i++)
            {
                await store.SaveAsync(Record($"f{i}"), Week, CancellationToken.None);
            }

            // Act
            blocked = store.SaveAsync(Record("one-too-many"), Week, CancellationToken.None);
            await Task.Delay(200);

            // Assert: bounded, not dropped.
            Assert.False(blocked.IsCompleted);
        }

        await blocked.WaitAsync(Deadline);
        Assert.NotNull(await store.GetAsync("one-too-many", CancellationToken.None));
    }

    [Fact]
    public async Task ExpiredRecords_AreNotFound_AndAreSwept()
    {
        // Arrange
        var time = new SettableTime(Noon);
        var store = Open("expiry.db", time: time);
        await store.SaveAsync(Record("short"), TimeSpan.FromMinutes(5), CancellationToken.None);
        await store.SaveAsync(Record("long"), Week, CancellationToken.None);
        await store.FlushAsync(CancellationToken.None);

        // Act
        time.Now = Noon.AddMinutes(6);
        await store.SaveAsync(Record("trigger"), Week, CancellationToken.None);
        await WaitUntilAsync(() => store.StoredCount == 2);

        // Assert
        Assert.Null(await store.GetAsync("short", CancellationToken.None));
        Assert.Equal(ReportOutcomeKind.NotFound, (await store.ReportAsync("short", "https://blog.example/", ReportLabel.Spam, time.Now, "e", CancellationToken.None)).Kind);
        Assert.NotNull(await store.GetAsync("long", CancellationToken.None));
    }

    [Fact]
    public async Task Erasure_LeavesNoTraceOfTheErasedRecordInTheFileOrItsWal()
    {
        // Arrange
        const string Marker = "ERASE-ME-4f1c2b7e";
        var store = Open("erase.db");
        var person = new ReputationSubject(SubjectKind.Email, "email:PERSON-TO-ERASE");
        await store.SaveAsync(Record("erased") with { Content = Marker + " in the comment", Subjects = [person] }, Week, CancellationToken.None);
        for (var i = 0; i < 50; i++)
        {
            await store.SaveAsync(Record($"kept-{i}"), Week, CancellationToken.None);
        }

        await store.FlushAsync(CancellationToken.None);
        Assert.Contains(Marker, ReadAll("erase.db"), StringComparison.Ordinal);

        // Act
        var erased = await store.EraseAsync(new HashSet<string>(StringComparer.Ordinal) { person.Pseudonym }, CancellationToken.None);

        // Assert
        Assert.Equal(1, erased);
        Assert.Null(await store.GetAsync("erased", CancellationToken.None));
        Assert.NotNull(await store.GetAsync("kept-0", CancellationToken.None));
        Assert.DoesNotContain(Marker, ReadAll("erase.db"), StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(_directory.File("erase.db-wal")).Length);
    }

    [Fact]
    public async Task Erasure_ReachesRecordsStillQueued()
    {
        var store = Open("erase-queued.db");
        var person = new ReputationSubject(SubjectKind.Ip, "ip:QUEUED-PERSON");
        Task<long> erasure;
        using (await store.HoldWritesAsync())
        {
            await store.SaveAsync(Record("queued-erased") with { Subjects = [person] }, Week, CancellationToken.None);
            erasure = store.EraseAsync(new HashSet<string>(StringComparer.Ordinal) { person.Pseudonym }, CancellationToken.None);
        }

        Assert.Equal(1, await erasure.WaitAsync(Deadline));
        await store.FlushAsync(CancellationToken.None);
        Assert.Null(await store.GetAsync("queued-erased", CancellationToken.None));
        Assert.Equal(0, store.StoredCount);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await _meters.DisposeAsync();
    }

    // After DisposeAsync (xunit's order), when no store holds the files any more.
    public void Dispose() => _directory.Dispose();

    private SqliteCheckRecordStore Open(string file, int maxRecords = 1_000_000, SpamGuardMetrics? metrics = null, TimeProvider? time = null)
    {
        var store = new SqliteCheckRecordStore(new SqliteDatabase(_directory.File(file)), time ?? TimeProvider.System, maxRecords, metrics,
            NullLogger<SqliteCheckRecordStore>.Instance);
        _stores.Add(store);
        return store;
    }

    // Both files whole, as bytes an attacker with the disk would read (Latin-1 keeps every byte one char).
    private string ReadAll(string file)
    {
        var text = new StringBuilder();
        foreach (var path in new[] { _directory.File(file), _directory.File(file + "-wal") })
        {
            if (File.Exists(path))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream, Encoding.Latin1);
                text.Append(reader.ReadToEnd());
            }
        }

        return text.ToString();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time.");
            await Task.Delay(20);
        }
    }

    /// <summary>Sums the evicted-records counter of one meter factory (tests run in parallel, each with its own).</summary>
    private sealed class EvictionCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public EvictionCounter(IServiceProvider meters)
        {
            var factory = meters.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == "spamguard.check_records.evicted")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
            Metrics = new SpamGuardMetrics(factory);
        }

        public SpamGuardMetrics Metrics { get; }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
