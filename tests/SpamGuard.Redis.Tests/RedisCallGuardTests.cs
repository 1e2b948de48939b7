using System.Diagnostics;
using StackExchange.Redis;
using SpamGuard.Testing;

namespace SpamGuard.Redis.Tests;

/// <summary>The guard against a real redis-server that is paused (slow) or killed (down).</summary>
public sealed class RedisCallGuardTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly RedisResilienceOptions Fast = new()
    {
        TimeoutMilliseconds = 100,
        MinimumThroughput = 3,
        FailureRatio = 0.5,
        SamplingSeconds = 30,
        BreakSeconds = 1,
    };

    [Fact]
    public async Task SlowRedis_CallTimesOutAtTheGuardsLimit_NotTheClients()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await ConnectAsync(server);
        var guard = new RedisCallGuard(Fast);
        var db = redis.GetDatabase();
        // Warm up outside the guard: the first command of a process (JIT, handshake) can itself take 100 ms.
        Assert.True(await db.StringSetAsync("k", "v", TimeSpan.FromMinutes(1)).WaitAsync(Deadline));

        await server.PauseAsync();
        try
        {
            var watch = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<RedisUnavailableException>(() => guard.RunAsync(() => db.StringGetAsync("k")).WaitAsync(Deadline));

            Assert.False(ex.CircuitOpen);
            // 100 ms timeout; generous slack for a loaded 2-core machine, far below the client's 5 s.
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        }
        finally
        {
            await server.ResumeAsync();
        }
    }

    [Fact]
    public async Task RepeatedFailures_OpenTheCircuit_ThenItClosesWhenRedisIsBack()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await ConnectAsync(server);
        var guard = new RedisCallGuard(Fast);
        var db = redis.GetDatabase();

        await server.PauseAsync();
        for (var i = 0; i < Fast.MinimumThroughput; i++)
        {
            await Assert.ThrowsAsync<RedisUnavailableException>(() => guard.RunAsync(() => db.StringGetAsync("k")).WaitAsync(Deadline));
        }

        // Refused by the open circuit, without reaching the paused server or waiting for the timeout.
        var open = await Assert.ThrowsAsync<RedisUnavailableException>(() => guard.RunAsync(() => db.StringGetAsync("k")).WaitAsync(Deadline));
        Assert.True(open.CircuitOpen, open.ToString());

        await server.ResumeAsync();
        var closeBy = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            try
            {
                await guard.RunAsync(() => db.StringSetAsync("k", "back", TimeSpan.FromMinutes(1))).WaitAsync(Deadline);
                break;
            }
            catch (RedisUnavailableException) when (DateTime.UtcNow < closeBy)
            {
                // Still open, or the trial call came too early; Redis is answering again soon.
            }
        }

        Assert.Equal("back", (string?)await guard.RunAsync(() => db.StringGetAsync("k")).WaitAsync(Deadline));
    }

    [Fact]
    public async Task RedisDown_CallFailsFastAsUnavailable()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await ConnectAsync(server);
        var guard = new RedisCallGuard(Fast);
        await server.StopAsync();

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<RedisUnavailableException>(() => guard.RunAsync(() => redis.GetDatabase().StringGetAsync("k")).WaitAsync(Deadline));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task ClientTimeoutBeforeTheGuards_IsUnavailableToo_NotAnEscapingTimeoutException()
    {
        // The client gives up first (its 100 ms against the guard's 5 s): StackExchange.Redis then throws
        // RedisTimeoutException, which is a TimeoutException and not a RedisException. Seen in CI while a
        // restarted server was being reconnected to.
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(
            new RedisOptions { Configuration = server.Endpoint, CommandTimeoutMilliseconds = 100 }.ToClientOptions()).WaitAsync(Deadline);
        var guard = new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 });
        await server.PauseAsync();
        try
        {
            var ex = await Assert.ThrowsAsync<RedisUnavailableException>(() => guard.RunAsync(() => redis.GetDatabase().StringGetAsync("k")).WaitAsync(Deadline));

            Assert.IsAssignableFrom<TimeoutException>(ex.InnerException);
        }
        finally
        {
            await server.ResumeAsync();
        }
    }

    // The client's own timeout is long, so only the guard can end a call early.
    private static async Task<ConnectionMultiplexer> ConnectAsync(RedisServerProcess server) =>
        await ConnectionMultiplexer.ConnectAsync(
            new RedisOptions { Configuration = server.Endpoint, CommandTimeoutMilliseconds = 5000 }.ToClientOptions()).WaitAsync(Deadline);
}
