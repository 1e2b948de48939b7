using StackExchange.Redis;
using SpamGuard.Testing;

namespace SpamGuard.Redis.Tests;

/// <summary>
/// The client options SpamGuard uses, against a real redis-server and a real three-master cluster: keys of different
/// hash slots, TTLs on every key written, and a configuration string of seed nodes that finds the whole cluster.
/// </summary>
public sealed class RedisConnectionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SingleServer_KeysWrittenWithTtl_ReadBackWithTheirTtl()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await ConnectAsync(server.Endpoint);

        await WriteAndCheckAsync(redis.GetDatabase());
    }

    [Fact]
    public async Task Cluster_SeedNodesFindEveryMaster_AndKeysOfEverySlotAreWritten()
    {
        await using var cluster = await RedisClusterProcess.StartAsync();
        // Two seeds of three: the client discovers the third from the cluster's own topology.
        await using var redis = await ConnectAsync(string.Join(',', cluster.Nodes.Take(2).Select(n => n.Endpoint)));

        Assert.Equal(3, redis.GetServers().Count(s => !s.IsReplica));
        await WriteAndCheckAsync(redis.GetDatabase());
        var perNode = await Task.WhenAll(cluster.Nodes.Select(n => n.CliAsync("dbsize")));
        Assert.All(perNode, count => Assert.True(int.Parse(count.Trim(), System.Globalization.CultureInfo.InvariantCulture) > 0, "a master holds no key"));
    }

    [Fact]
    public async Task ServerDown_ConnectDoesNotThrow_AndCommandsFailFast()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await server.StopAsync();
        var options = new RedisOptions { Configuration = server.Endpoint, ConnectTimeoutMilliseconds = 300, CommandTimeoutMilliseconds = 100 };

        await using var redis = await ConnectionMultiplexer.ConnectAsync(options.ToClientOptions()).WaitAsync(Deadline);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<RedisException>(() => redis.GetDatabase().StringGetAsync("k").WaitAsync(Deadline));

        Assert.False(redis.IsConnected);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("127.0.0.1:6379", true)]
    [InlineData("10.0.0.1:7000,10.0.0.2:7000,password=x", true)]
    public void Validator_ChecksTheConfigurationString(string configuration, bool valid)
    {
        var result = new RedisOptionsValidator().Validate(null, new RedisOptions { Configuration = configuration });

        Assert.Equal(valid, result.Succeeded);
    }

    [Theory]
    [InlineData(0, 0.5, 10)]
    [InlineData(50, 0.0, 10)]
    [InlineData(50, 1.5, 10)]
    [InlineData(50, 0.5, 1)]
    public void Validator_RefusesUnusableResilienceSettings(int timeoutMs, double failureRatio, int minimumThroughput)
    {
        var options = new RedisOptions
        {
            Configuration = "127.0.0.1:6379",
            Resilience = new RedisResilienceOptions { TimeoutMilliseconds = timeoutMs, FailureRatio = failureRatio, MinimumThroughput = minimumThroughput },
        };

        var result = new RedisOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.All(result.Failures!, f => Assert.StartsWith("Redis:Resilience", f, StringComparison.Ordinal));
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(string configuration) =>
        await ConnectionMultiplexer.ConnectAsync(new RedisOptions { Configuration = configuration }.ToClientOptions()).WaitAsync(Deadline);

    private static async Task WriteAndCheckAsync(IDatabase db)
    {
        // Enough keys that a three-master cluster gets some on each master.
        var keys = Enumerable.Range(0, 64).Select(i => (RedisKey)$"spamguard:test:{i}").ToList();
        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "v", TimeSpan.FromMinutes(5)))).WaitAsync(Deadline);

        foreach (var key in keys)
        {
            Assert.Equal("v", (string?)await db.StringGetAsync(key).WaitAsync(Deadline));
            var ttl = await db.KeyTimeToLiveAsync(key).WaitAsync(Deadline);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        }
    }
}
