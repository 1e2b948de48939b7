using SpamGuard.Core.Feedback;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Redis.Tests;

public sealed class RedisLabelledExampleStoreTests(RedisServerFixture fixture) : LabelledExampleStoreContract, IClassFixture<RedisServerFixture>
{
    protected override async Task<ILabelledExampleStore> EmptyStoreAsync()
    {
        // The stream and the entry claims both go.
        await fixture.Redis.GetServers()[0].FlushAllDatabasesAsync();
        return new RedisLabelledExampleStore(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 }));
    }
}
