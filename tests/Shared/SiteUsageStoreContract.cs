using SpamGuard.Core.Keys;

namespace SpamGuard.Testing.Contracts;

/// <summary>What every <see cref="ISiteUsageStore"/> must do: add counts from any number of flushes, per key and month.</summary>
public abstract class SiteUsageStoreContract
{
    private const string Blog = "https://blog.example/";
    private const string Shop = "https://shop.example/";

    protected abstract Task<ISiteUsageStore> EmptyStoreAsync();

    [Fact]
    public async Task Counts_AddUpAcrossFlushes_PerSiteKeyAndMonth()
    {
        var store = await EmptyStoreAsync();
        await store.AddAsync(new Dictionary<UsageCell, long>
        {
            [new("k1", "2026-11", Blog, UsageKind.Call)] = 3,
            [new("k1", "2026-11", Blog, UsageKind.Spam)] = 2,
            [new("k1", "2026-11", Shop, UsageKind.Call)] = 1,
            [new("k1", "2026-10", Blog, UsageKind.Call)] = 7,
            [new("k2", "2026-11", Blog, UsageKind.Call)] = 5,
        }, CancellationToken.None);
        await store.AddAsync(new Dictionary<UsageCell, long>
        {
            [new("k1", "2026-11", Blog, UsageKind.Call)] = 1,
            [new("k1", "2026-11", Blog, UsageKind.Ham)] = 1,
            [new("k1", "2026-11", Blog, UsageKind.MissedSpam)] = 4,
            [new("k1", "2026-11", Blog, UsageKind.FalsePositive)] = 6,
        }, CancellationToken.None);

        var november = await store.ReadAsync("k1", "2026-11", CancellationToken.None);

        Assert.Equal([new SiteUsage(Blog, 4, 2, 1, 4, 6), new SiteUsage(Shop, 1, 0, 0, 0, 0)], november);
        Assert.Equal([new SiteUsage(Blog, 7, 0, 0, 0, 0)], await store.ReadAsync("k1", "2026-10", CancellationToken.None));
        Assert.Equal([new SiteUsage(Blog, 5, 0, 0, 0, 0)], await store.ReadAsync("k2", "2026-11", CancellationToken.None));
        Assert.Empty(await store.ReadAsync("k3", "2026-11", CancellationToken.None));
    }
}
