using SpamGuard.Core.Models;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Redis.Tests;

public sealed class RedisModelStoreTests(RedisServerFixture fixture) : ModelStoreContract, IClassFixture<RedisServerFixture>
{
    protected override async Task<IModelStore> EmptyStoreAsync()
    {
        await fixture.FlushAsync();
        return new RedisModelStore(fixture.Redis);
    }
}

public sealed class RedisClusterModelStoreTests(RedisClusterFixture fixture) : ModelStoreContract, IClassFixture<RedisClusterFixture>
{
    protected override async Task<IModelStore> EmptyStoreAsync()
    {
        await fixture.FlushAsync();

        return new RedisModelStore(fixture.Redis);
    }
}
