using SpamGuard.Core.Feedback;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Redis.Tests;

public sealed class RedisLabelledExampleStoreTests(RedisServerFixture fixture) : LabelledExampleStoreContract, IClassFixture<RedisServerFixture>
{
    protected override async Task<ILabelledExampleStore> EmptyStoreAsync()
    {
        await fixture.Redis.GetDatabase().KeyDeleteAsync(RedisLabelledExampleStore.Key);
        return new RedisLabelledExampleStore(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 }));
    }
}
