using SpamGuard.Core.Keys;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Redis.Tests;

public sealed class RedisSiteKeyStoreTests(RedisServerFixture fixture) : SiteKeyStoreContract, IClassFixture<RedisServerFixture>
{
    protected override async Task<ISiteKeyStore> EmptyStoreAsync()
    {
        await fixture.FlushAsync();
        return new RedisSiteKeyStore(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 }));
    }
}

public sealed class RedisClusterSiteKeyStoreTests(RedisClusterFixture fixture) : SiteKeyStoreContract, IClassFixture<RedisClusterFixture>
{
    protected override async Task<ISiteKeyStore> EmptyStoreAsync()
    {
        await fixture.FlushAsync();

        return new RedisSiteKeyStore(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 }));
    }
}

public sealed class RedisSiteUsageStoreTests(RedisServerFixture fixture) : SiteUsageStoreContract, IClassFixture<RedisServerFixture>
{
    protected override async Task<ISiteUsageStore> EmptyStoreAsync()
    {
        await fixture.FlushAsync();
        return new RedisSiteUsageStore(fixture.Redis);
    }

    [Fact]
    public async Task UsageHashes_Expire()
    {
        var store = await EmptyStoreAsync();
        await store.AddAsync(new Dictionary<UsageCell, long> { [new("k1", "2026-11", "https://blog.example/", UsageKind.Call)] = 1 }, CancellationToken.None);

        var ttl = await fixture.Redis.GetDatabase().KeyTimeToLiveAsync("spamguard:{usage}:k1:2026-11");

        Assert.InRange(ttl!.Value, RedisSiteUsageStore.Retention - TimeSpan.FromMinutes(1), RedisSiteUsageStore.Retention);
    }
}

public sealed class RedisClusterSiteUsageStoreTests(RedisClusterFixture fixture) : SiteUsageStoreContract, IClassFixture<RedisClusterFixture>
{
    protected override async Task<ISiteUsageStore> EmptyStoreAsync()
    {
        await fixture.FlushAsync();

        return new RedisSiteUsageStore(fixture.Redis);
    }
}
