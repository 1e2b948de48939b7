using SpamGuard.Core.Keys;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Redis.Tests;

public sealed class RedisSiteKeyStoreTests(RedisServerFixture fixture) : SiteKeyStoreContract, IClassFixture<RedisServerFixture>
{
    protected override async Task<ISiteKeyStore> EmptyStoreAsync()
    {
        await fixture.Redis.GetServers()[0].FlushAllDatabasesAsync();
        return new RedisSiteKeyStore(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 }));
    }
}

public sealed class RedisClusterSiteKeyStoreTests(RedisClusterFixture fixture) : SiteKeyStoreContract, IClassFixture<RedisClusterFixture>
{
    protected override async Task<ISiteKeyStore> EmptyStoreAsync()
    {
        foreach (var server in fixture.Redis.GetServers().Where(s => !s.IsReplica))
        {
            await server.FlushAllDatabasesAsync();
        }

        return new RedisSiteKeyStore(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 }));
    }
}
