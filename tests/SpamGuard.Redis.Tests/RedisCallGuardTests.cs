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

    [Fact]
    public async Task RedisKilled_CallsAfterTheClientKnowsAreNotSent_AndNoneWaitsMoreThanOneTimeout()
    {
        // Arrange: a guard that knows the connection; the timeout is long enough that a call which waits for it is
        // told apart from one that does not, even on a loaded machine.
        var options = new RedisResilienceOptions { TimeoutMilliseconds = 1000, MinimumThroughput = 1000 };
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await ConnectAsync(server);
        using var guard = new RedisCallGuard(options, redis);
        var db = redis.GetDatabase();
        var sent = 0;
        Task<RedisValue> Get()
        {
            Interlocked.Increment(ref sent);
            return db.StringGetAsync("k");
        }

        Assert.True((await guard.RunAsync(Get).WaitAsync(Deadline)).IsNull);

        // Act: kill Redis mid-test, then call the way checks do, one after another.
        await server.StopAsync();
        sent = 0;
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 20; i++)
        {
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAsync<RedisUnavailableException>(() => guard.RunAsync(Get).WaitAsync(Deadline));
            waits.Add(watch.Elapsed);
        }

        // Assert: at most the first call (sent before the client saw the socket close) reached the client, none was
        // retried, and none waited past one timeout (with slack); the rest were refused without being sent.
        Assert.True(sent <= 1, $"{sent} calls were sent to a dead Redis");
        Assert.True(waits.Max() < TimeSpan.FromMilliseconds(1.5 * options.TimeoutMilliseconds), string.Join(", ", waits));
        Assert.True(guard.FailingFast);

        // Redis back on the same port: the client reconnects and calls go through again.
        await server.StartAgainAsync();
        await WaitUntilAsync(async () =>
        {
            try
            {
                return (await guard.RunAsync(Get).WaitAsync(Deadline)).IsNull;
            }
            catch (RedisUnavailableException)
            {
                return false;
            }
        });
    }

    [Fact]
    public async Task RedisFrozen_OneCallWaitsTheTimeout_TheNextAreNotSent_UntilRedisAnswersAgain()
    {
        // Arrange
        var options = new RedisResilienceOptions { TimeoutMilliseconds = 300, MinimumThroughput = 1000 };
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await ConnectAsync(server);
        using var guard = new RedisCallGuard(options, redis);
        var db = redis.GetDatabase();
        var sent = 0;
        Task<RedisValue> Get()
        {
            Interlocked.Increment(ref sent);
            return db.StringGetAsync("k");
        }

        Assert.True((await guard.RunAsync(Get).WaitAsync(Deadline)).IsNull);
        await server.PauseAsync();
        try
        {
            // Act: the first call finds out (one timeout, not retried); the next ones, as a check's later calls
            // would, do not wait again.
            sent = 0;
            await Assert.ThrowsAsync<RedisUnavailableException>(() => guard.RunAsync(Get).WaitAsync(Deadline));
            Assert.Equal(1, sent);
            for (var i = 0; i < 10; i++)
            {
                await Assert.ThrowsAsync<RedisUnavailableException>(() => guard.RunAsync(Get).WaitAsync(Deadline));
            }

            // Assert
            Assert.Equal(1, sent);
            Assert.True(guard.FailingFast);
        }
        finally
        {
            await server.ResumeAsync();
        }

        // The probe's PING is answered: calls are sent again, without waiting for the breaker.
        await WaitUntilAsync(() => Task.FromResult(!guard.FailingFast));
        Assert.True((await guard.RunAsync(Get).WaitAsync(Deadline)).IsNull);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not hold within 30 s");
            await Task.Delay(100);
        }
    }

    // The client's own timeout is long, so only the guard can end a call early.
    private static async Task<ConnectionMultiplexer> ConnectAsync(RedisServerProcess server) =>
        await ConnectionMultiplexer.ConnectAsync(
            new RedisOptions { Configuration = server.Endpoint, CommandTimeoutMilliseconds = 5000 }.ToClientOptions()).WaitAsync(Deadline);
}
