using Microsoft.Extensions.Logging.Abstractions;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Reputation;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Core.Tests;

public sealed class InProcessSiteUsageStoreTests : SiteUsageStoreContract
{
    protected override Task<ISiteUsageStore> EmptyStoreAsync() => Task.FromResult<ISiteUsageStore>(new InProcessSiteUsageStore());
}

public sealed class SiteUsageCounterTests
{
    [Fact]
    public async Task Counts_AreReadBackIncludingUnflushedOnes_PerMonthOfTheCall()
    {
        var time = new ManualTime { Now = new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero) };
        using var counter = new SiteUsageCounter(new InProcessSiteUsageStore(), time, NullLogger<SiteUsageCounter>.Instance);

        counter.Count("k", "https://blog.example/", UsageKind.Call);
        counter.Count("k", "https://blog.example/", UsageKind.Spam);
        time.Now += TimeSpan.FromMinutes(2);
        counter.Count("k", "https://blog.example/", UsageKind.Call);

        Assert.Equal([new SiteUsage("https://blog.example/", 1, 1, 0, 0, 0)], await counter.ReadAsync("k", "2026-11", CancellationToken.None));
        Assert.Equal([new SiteUsage("https://blog.example/", 1, 0, 0, 0, 0)], await counter.ReadAsync("k", "2026-12", CancellationToken.None));
    }

    [Fact]
    public async Task AFailedFlush_KeepsTheCountsForTheNextOne()
    {
        var store = new FlakyUsageStore();
        using var counter = new SiteUsageCounter(store, TimeProvider.System, NullLogger<SiteUsageCounter>.Instance);
        counter.Count("k", "https://blog.example/", UsageKind.Call);
        counter.Count("k", "https://blog.example/", UsageKind.Call);

        store.Failing = true;
        await Assert.ThrowsAsync<StoreUnavailableException>(() => counter.FlushAsync(CancellationToken.None));
        counter.Count("k", "https://blog.example/", UsageKind.Call);
        store.Failing = false;
        await counter.FlushAsync(CancellationToken.None);

        Assert.Equal(3, Assert.Single(await store.Inner.ReadAsync("k", SiteUsageCounter.MonthOf(DateTimeOffset.UtcNow), CancellationToken.None)).Calls);
    }

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class FlakyUsageStore : ISiteUsageStore
    {
        public InProcessSiteUsageStore Inner { get; } = new();

        public bool Failing { get; set; }

        public Task AddAsync(IReadOnlyDictionary<UsageCell, long> increments, CancellationToken cancellationToken) =>
            Failing ? throw new StoreUnavailableException("down") : Inner.AddAsync(increments, cancellationToken);

        public Task<IReadOnlyList<SiteUsage>> ReadAsync(string keyId, string month, CancellationToken cancellationToken) =>
            Inner.ReadAsync(keyId, month, cancellationToken);
    }
}

public sealed class SiteKeyShapeTests
{
    [Theory]
    [InlineData("sgabcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst", true)]
    [InlineData("SGABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST", false)]
    [InlineData("sgabcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrs", false)]
    [InlineData("sgabcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrs1", false)]
    [InlineData("xxabcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst", false)]
    [InlineData("blog", false)]
    [InlineData("", false)]
    public void LooksLikeKey_AcceptsOnlyTheShapeOfCreatedKeys(string label, bool expected) =>
        Assert.Equal(expected, SiteKeyService.LooksLikeKey(label));
}
