using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Core.Tests;

public sealed class InProcessCheckRecordStoreTests : CheckRecordStoreContract
{
    protected override Task<ICheckRecordStore> StoreAsync() => Task.FromResult<ICheckRecordStore>(new InProcessCheckRecordStore());

    [Fact]
    public async Task ExpiredRecord_IsNotFound()
    {
        var time = new SteppingTime(Noon);
        var store = new InProcessCheckRecordStore(time);
        await store.SaveAsync(Record("a"), TimeSpan.FromDays(7), CancellationToken.None);

        time.Now = Noon.AddDays(7).AddSeconds(1);

        Assert.Null(await store.GetAsync("a", CancellationToken.None));
        Assert.Equal(ReportOutcomeKind.NotFound, (await store.ReportAsync("a", "https://blog.example/", ReportLabel.Spam, time.Now, "entry-" + Guid.NewGuid().ToString("N"), CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task PastTheCap_TheOldestRecordsGo_CountedByTheMetric_AndTheirReportsAreNotFound()
    {
        // Arrange
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        long evicted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SpamGuardMetrics.MeterName && instrument.Name == "spamguard.check_records.evicted")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref evicted, value));
        listener.Start();
        var store = new InProcessCheckRecordStore(TimeProvider.System, 3, new SpamGuardMetrics(meters.GetRequiredService<IMeterFactory>()));

        // Act
        foreach (var id in new[] { "r1", "r2", "r3", "r4", "r5" })
        {
            await store.SaveAsync(Record(id), TimeSpan.FromDays(7), CancellationToken.None);
        }

        // Assert
        Assert.Null(await store.GetAsync("r1", CancellationToken.None));
        Assert.Null(await store.GetAsync("r2", CancellationToken.None));
        Assert.NotNull(await store.GetAsync("r3", CancellationToken.None));
        Assert.NotNull(await store.GetAsync("r5", CancellationToken.None));
        Assert.Equal(3, store.Count);
        Assert.Equal(2, Interlocked.Read(ref evicted));
        Assert.Equal(ReportOutcomeKind.NotFound, (await store.ReportAsync("r1", "https://blog.example/", ReportLabel.Spam, Noon, "entry-1", CancellationToken.None)).Kind);
    }

    private sealed class SteppingTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
