using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Testing.Contracts;
using StackExchange.Redis;

namespace SpamGuard.Redis.Tests;

public sealed class RedisLabelledExampleStoreTests(RedisServerFixture fixture) : LabelledExampleStoreContract, IClassFixture<RedisServerFixture>
{
    protected override async Task<ILabelledExampleStore> EmptyStoreAsync()
    {
        // The stream and the entry claims both go.
        await fixture.FlushAsync();
        return Store(TimeSpan.FromDays(180));
    }

    private RedisLabelledExampleStore Store(TimeSpan retention) =>
        new(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 }), retention);

    private static LabelledExample Example(string id, DateTimeOffset at) =>
        new(id, "check" + id, "https://blog.example/", ReportLabel.Spam, at, "text " + id, "");

    [Fact]
    public async Task Stream_ExpiresWithTheRetention_AndOlderEntriesAreTrimmed()
    {
        await fixture.FlushAsync();
        var db = fixture.Redis.GetDatabase();
        // An entry whose stream id is 200 days old, as if written then.
        var old = DateTimeOffset.UtcNow.AddDays(-200).ToUnixTimeMilliseconds();
        await db.StreamAddAsync(RedisLabelledExampleStore.Key, [new("entry_id", "old")], messageId: $"{old}-0");

        await Store(TimeSpan.FromDays(180)).AppendAsync(Example("new", DateTimeOffset.UtcNow), CancellationToken.None);

        var ttl = await db.KeyTimeToLiveAsync(RedisLabelledExampleStore.Key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromDays(179.9), TimeSpan.FromDays(180));
        var entries = await db.StreamRangeAsync(RedisLabelledExampleStore.Key);
        Assert.Equal(["new"], entries.Select(e => (string?)e["entry_id"]));
    }
}
