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

    private sealed class SteppingTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
