using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Testing;
using StackExchange.Redis;

namespace SpamGuard.Redis.Tests;

/// <summary>Reports accepted while Redis is down reach the stream exactly once when it is back.</summary>
public sealed class JournaledExampleStoreTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-journal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LabelledExample Example(int i) =>
        new($"entry{i}", $"check{i}", "https://blog.example/", ReportLabel.Spam, DateTimeOffset.UnixEpoch.AddSeconds(i), $"text {i}", "");

    [Fact]
    public async Task ReportsDuringAnOutage_AreJournaled_AndReplayedExactlyOnce()
    {
        // With the append-only file on, as the README asks for production: the stream survives the restart.
        await using var server = await RedisServerProcess.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        await using var redis = await ConnectAsync(server);
        using var store = new JournaledExampleStore(Store(redis), _dir);
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAsync(Example(i), CancellationToken.None).WaitAsync(Deadline);
        }

        await server.StopAsync();
        for (var i = 5; i < 25; i++)
        {
            // Accepted although Redis is down: written to the journal.
            await store.AppendAsync(Example(i), CancellationToken.None).WaitAsync(Deadline);
        }

        Assert.True(store.HasPending);
        await Assert.ThrowsAsync<RedisUnavailableException>(() => store.ReplayAsync(CancellationToken.None).WaitAsync(Deadline));
        Assert.True(store.HasPending);

        await server.StartAgainAsync();
        var sent = await ReplayWhenConnectedAsync(store);

        // At least the 20 written during the outage; more when a call that timed out had reached Redis after all
        // (it was journaled too), which the entry-id claims turn into no duplicate.
        Assert.InRange(sent, 20, 25);
        Assert.False(store.HasPending);
        Assert.Equal(0, await store.ReplayAsync(CancellationToken.None).WaitAsync(Deadline));
        var ids = await ReadIdsAsync(store);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"entry{i}").Order(), ids.Order());
    }

    [Fact]
    public async Task ReplayInterruptedAndRunAgain_AddsNothingTwice()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await ConnectAsync(server);
        using (var writer = new JsonlLabelledExampleStore(Path.Combine(_dir, "journal.jsonl")))
        {
            for (var i = 0; i < 10; i++)
            {
                await writer.AppendAsync(Example(i), CancellationToken.None);
            }
        }

        // As if a replay had sent the first 4 entries and then the process died before deleting the file.
        var direct = Store(redis);
        for (var i = 0; i < 4; i++)
        {
            await direct.AppendAsync(Example(i), CancellationToken.None).WaitAsync(Deadline);
        }

        File.Move(Path.Combine(_dir, "journal.jsonl"), Path.Combine(_dir, "journal.replaying.jsonl"));
        using var store = new JournaledExampleStore(direct, _dir);

        Assert.Equal(10, await store.ReplayAsync(CancellationToken.None).WaitAsync(Deadline));
        Assert.Equal(10, (await ReadIdsAsync(store)).Count);
    }

    [Fact]
    public async Task ReplayService_EmptiesTheJournalOnceRedisIsBack_AndStopsPromptly()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await ConnectAsync(server);
        using var store = new JournaledExampleStore(Store(redis), _dir);
        await server.StopAsync();
        for (var i = 0; i < 10; i++)
        {
            await store.AppendAsync(Example(i), CancellationToken.None).WaitAsync(Deadline);
        }

        using var service = new JournalReplayService(store, TimeSpan.FromMilliseconds(100),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<JournalReplayService>.Instance);
        await service.StartAsync(CancellationToken.None);
        await Task.Delay(500);
        Assert.True(store.HasPending);

        await server.StartAgainAsync();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (store.HasPending && DateTime.UtcNow < until)
        {
            await Task.Delay(100);
        }

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await service.StopAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.False(store.HasPending);
        Assert.Equal(10, (await ReadIdsAsync(store)).Count);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopping.Elapsed}");
    }

    private static RedisLabelledExampleStore Store(ConnectionMultiplexer redis) =>
        new(redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 500, MinimumThroughput = 1000 }));

    private static async Task<ConnectionMultiplexer> ConnectAsync(RedisServerProcess server) =>
        await ConnectionMultiplexer.ConnectAsync(new RedisOptions { Configuration = server.Endpoint }.ToClientOptions()).WaitAsync(Deadline);

    // The client reconnects on its own after a restart; until it has, a replay fails and is tried again.
    private static async Task<int> ReplayWhenConnectedAsync(JournaledExampleStore store)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await store.ReplayAsync(CancellationToken.None).WaitAsync(Deadline);
            }
            catch (RedisUnavailableException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task<List<string>> ReadIdsAsync(JournaledExampleStore store)
    {
        var ids = new List<string>();
        await foreach (var example in store.ReadAllAsync(CancellationToken.None))
        {
            ids.Add(example.EntryId);
        }

        return ids;
    }
}
