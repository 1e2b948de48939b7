using SpamGuard.Core.Feedback;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Redis.Tests;

public sealed class RedisCheckRecordStoreTests(RedisServerFixture fixture) : CheckRecordStoreContract, IClassFixture<RedisServerFixture>
{
    protected override Task<ICheckRecordStore> StoreAsync() =>
        Task.FromResult<ICheckRecordStore>(new RedisCheckRecordStore(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 })));

    [Fact]
    public async Task Record_ExpiresWithItsRetention()
    {
        var store = await StoreAsync();
        var record = Record(Guid.NewGuid().ToString("N"));

        await store.SaveAsync(record, TimeSpan.FromDays(7), CancellationToken.None);
        await store.ReportAsync(record.CheckId, record.Site, Core.Reputation.ReportLabel.Spam, Noon, "entry-" + Guid.NewGuid().ToString("N"), CancellationToken.None);

        var ttl = await fixture.Redis.GetDatabase().KeyTimeToLiveAsync(RedisCheckRecordStore.Key(record.CheckId));
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
    }
}

public sealed class RedisClusterCheckRecordStoreTests(RedisClusterFixture fixture) : CheckRecordStoreContract, IClassFixture<RedisClusterFixture>
{
    protected override Task<ICheckRecordStore> StoreAsync() =>
        Task.FromResult<ICheckRecordStore>(new RedisCheckRecordStore(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 })));
}
