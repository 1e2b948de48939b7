using System.Net;
using System.Text;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;
using SpamGuard.Testing;
using SpamGuard.Testing.Contracts;
using StackExchange.Redis;

namespace SpamGuard.Redis.Tests;

/// <summary>One real redis-server for the whole class; each test gets a fresh database (FLUSHALL).</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public RedisServerProcess Server { get; private set; } = null!;

    public ConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RedisServerProcess.StartAsync();
        Redis = await ConnectionMultiplexer.ConnectAsync(
            AllowAdmin(new RedisOptions { Configuration = Server.Endpoint, CommandTimeoutMilliseconds = 5000 }.ToClientOptions()))
            .WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Empties the server, so a test starts from nothing.</summary>
    public Task FlushAsync() => Redis.GetServers()[0].FlushAllDatabasesAsync();

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Server.DisposeAsync();
    }

    private static ConfigurationOptions AllowAdmin(ConfigurationOptions options)
    {
        options.AllowAdmin = true;
        return options;
    }
}

public sealed class RedisReputationStoreTests(RedisServerFixture fixture) : ReputationStoreContract, IClassFixture<RedisServerFixture>
{
    // Generous: these tests are about behaviour, not about the guard's latency limit.
    private static readonly RedisResilienceOptions Patient = new() { TimeoutMilliseconds = 5000 };

    protected override async Task<IReputationStore> StoreAsync()
    {
        await fixture.FlushAsync();
        return new RedisReputationStore(fixture.Redis, new RedisCallGuard(Patient));
    }

    [Fact]
    public async Task EveryKeyHasATtl_AndNoKeyOrValueHoldsARawIpOrEmail()
    {
        var store = await StoreAsync();
        var pseudonyms = new Pseudonymizer(Encoding.UTF8.GetBytes("a test secret that is long enough!!"));
        var ip = IPAddress.Parse("203.0.113.77");
        ReputationSubject[] subjects =
        [
            new(SubjectKind.Ip, pseudonyms.Ip(ip)),
            new(SubjectKind.Network, pseudonyms.Network(ip)),
            new(SubjectKind.Email, pseudonyms.Email("victor.victim@mail.example")),
            new(SubjectKind.AuthorHost, pseudonyms.Host("victors-blog.example")),
        ];

        await store.RecordCheckAsync(subjects, Blog, true, DateTimeOffset.UtcNow, CancellationToken.None);
        await store.RecordReportAsync(subjects, Blog, ReportLabel.Spam, DateTimeOffset.UtcNow, null, "entry-ttl", CancellationToken.None);

        var keys = await fixture.Server.CliAsync("--scan");
        var dump = new StringBuilder(keys);
        var db = fixture.Redis.GetDatabase();
        foreach (var key in keys.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var ttl = await db.KeyTimeToLiveAsync(key);
            Assert.True(ttl is { } t && t > TimeSpan.Zero && t <= ReputationWindows.Retention, $"{key}: ttl {ttl}");
            foreach (var entry in await db.HashGetAllAsync(key))
            {
                dump.Append(entry.Name).Append('=').Append(entry.Value).Append('\n');
            }
        }

        // Per subject: its hash, and the reporting site's hash of it.
        Assert.Equal(2 * subjects.Length, keys.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var text = dump.ToString();
        foreach (var raw in new[] { "203.0.113", "victor", "mail.example", "victors-blog" })
        {
            Assert.DoesNotContain(raw, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(SubjectKind.Ip, "ip:AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData(SubjectKind.Content, "content:0123456789abcdef")]
    [InlineData(SubjectKind.LinkHost, "host:Zz-_09")]
    public void ASitesHashOfASubject_SharesTheSubjectsClusterSlot(SubjectKind kind, string pseudonym)
    {
        var subject = new ReputationSubject(kind, pseudonym);

        Assert.Equal(fixture.Redis.HashSlot(RedisReputationStore.Key(subject)),
            fixture.Redis.HashSlot(RedisReputationStore.SiteKey(subject, ReportingSites.Id(Blog))));
    }

    [Fact]
    public async Task ReportFieldsFromBeforeReportsWereKeptPerSite_AreNotCounted()
    {
        var store = await StoreAsync();
        var ip = new ReputationSubject(SubjectKind.Ip, "ip:legacy");
        await fixture.Redis.GetDatabase().HashSetAsync(RedisReputationStore.Key(ip),
            [.. ReputationWindows.FieldsToIncrement(ReputationCounter.HamReports, Noon.AddHours(-1)).Select(f => new HashEntry(f, 50))]);

        var read = Assert.Single(await store.RecordCheckAsync([ip], Blog, false, Noon, CancellationToken.None));

        Assert.Equal(0, read.Count(ReputationCounter.HamReports, ReputationWindow.Last30Days));
        Assert.Empty(read.OtherSites);
    }

    [Fact]
    public async Task ACheckIsOneFieldPerWindow_PackingItsSpamVerdict()
    {
        var store = await StoreAsync();
        var ip = new ReputationSubject(SubjectKind.Ip, "ip:packed");

        await store.RecordCheckAsync([ip], Blog, modelSaysSpam: true, Noon, CancellationToken.None);
        await store.RecordCheckAsync([ip], Blog, modelSaysSpam: false, Noon, CancellationToken.None);
        var read = Assert.Single(await store.ReadAsync([ip], Blog, Noon, CancellationToken.None));

        var stored = await fixture.Redis.GetDatabase().HashGetAllAsync(RedisReputationStore.Key(ip));
        Assert.Equal(3, stored.Length);
        Assert.All(stored, e => Assert.StartsWith("a:", (string)e.Name!, StringComparison.Ordinal));
        Assert.All(stored, e => Assert.Equal(2 + (1L << 32), (long)e.Value));
        foreach (var window in Enum.GetValues<ReputationWindow>())
        {
            Assert.Equal(2, read.Count(ReputationCounter.Checks, window));
            Assert.Equal(1, read.Count(ReputationCounter.SpamVerdicts, window));
        }
    }

    [Fact]
    public async Task ExpiredBuckets_AreDeletedAfterACheck_ButATestReadWritesNothing()
    {
        var store = await StoreAsync();
        var ip = new ReputationSubject(SubjectKind.Ip, "ip:housekeeping-" + Guid.NewGuid().ToString("N"));
        var db = fixture.Redis.GetDatabase();
        var key = RedisReputationStore.Key(ip);
        var longAgo = Noon - TimeSpan.FromDays(40);
        await db.HashSetAsync(key, [.. ReputationWindows.FieldsToIncrement(ReputationCounter.SpamReports, longAgo).Select(f => new HashEntry(f, 1))]);

        await store.ReadAsync([ip], Blog, Noon, CancellationToken.None);
        await db.PingAsync();
        var afterRead = await db.HashLengthAsync(key);
        await store.RecordCheckAsync([ip], Blog, false, Noon, CancellationToken.None);
        await db.PingAsync();
        var afterCheck = await db.HashGetAllAsync(key);

        Assert.Equal(3, afterRead);
        Assert.All(afterCheck, e => Assert.StartsWith("a:", (string)e.Name!, StringComparison.Ordinal));
        Assert.Equal(3, afterCheck.Length);
    }

    [Fact]
    public async Task AReportsClaim_OutlivesItsCountsWindow_AndIsTidiedAwayAfterTheRetention()
    {
        var store = await StoreAsync();
        var ip = new ReputationSubject(SubjectKind.Ip, "ip:claims-" + Guid.NewGuid().ToString("N"));
        var db = fixture.Redis.GetDatabase();
        var key = RedisReputationStore.SiteKey(ip, ReportingSites.Id(Blog));
        var reporter = "rs:" + ReportingSites.Id(Blog);

        await store.RecordReportAsync([ip], Blog, ReportLabel.Spam, Noon, null, "entry-claimed", CancellationToken.None);
        await store.RecordCheckAsync([ip], Blog, false, Noon.AddDays(30), CancellationToken.None);
        await db.PingAsync();
        var within = await db.HashExistsAsync(key, "applied:entry-claimed");
        var listed = await db.HashExistsAsync(RedisReputationStore.Key(ip), reporter);
        await store.RecordCheckAsync([ip], Blog, false, Noon.AddDays(32), CancellationToken.None);
        await db.PingAsync();
        var after = await db.HashExistsAsync(key, "applied:entry-claimed");
        var stillListed = await db.HashExistsAsync(RedisReputationStore.Key(ip), reporter);

        Assert.True(within);
        Assert.True(listed);
        Assert.False(after);
        Assert.False(stillListed);
    }

    [Fact]
    public async Task CountsWrittenBeforePacking_AreStillRead_AndAddUp()
    {
        var store = await StoreAsync();
        var ip = new ReputationSubject(SubjectKind.Ip, "ip:unpacked");
        var db = fixture.Redis.GetDatabase();
        // As the store wrote them before checks were packed: separate check and spam-verdict buckets.
        await db.HashSetAsync(RedisReputationStore.Key(ip),
        [
            .. ReputationWindows.FieldsToIncrement(ReputationCounter.Checks, Noon).Select(f => new HashEntry(f, 5)),
            .. ReputationWindows.FieldsToIncrement(ReputationCounter.SpamVerdicts, Noon).Select(f => new HashEntry(f, 3)),
        ]);

        await store.RecordCheckAsync([ip], Blog, modelSaysSpam: true, Noon, CancellationToken.None);
        var read = Assert.Single(await store.RecordCheckAsync([ip], Blog, modelSaysSpam: false, Noon, CancellationToken.None));

        Assert.Equal(6, read.Count(ReputationCounter.Checks, ReputationWindow.LastHour));
        Assert.Equal(4, read.Count(ReputationCounter.SpamVerdicts, ReputationWindow.Last30Days));
    }

    [Fact]
    public async Task TheTtlIsRenewedWhenACheckOpensA5MinuteBucket_NotOnEveryCheck()
    {
        var store = await StoreAsync();
        var ip = new ReputationSubject(SubjectKind.Ip, "ip:ttl");
        var db = fixture.Redis.GetDatabase();
        var key = RedisReputationStore.Key(ip);

        await store.RecordCheckAsync([ip], Blog, false, Noon, CancellationToken.None);
        Assert.True(await db.KeyExpireAsync(key, TimeSpan.FromDays(1)));
        await store.RecordCheckAsync([ip], Blog, false, Noon.AddMinutes(1), CancellationToken.None);
        var sameBucket = await db.KeyTimeToLiveAsync(key);
        await store.RecordCheckAsync([ip], Blog, false, Noon.AddMinutes(6), CancellationToken.None);
        var newBucket = await db.KeyTimeToLiveAsync(key);

        Assert.True(sameBucket <= TimeSpan.FromDays(1), $"ttl {sameBucket}");
        Assert.True(newBucket > TimeSpan.FromDays(30), $"ttl {newBucket}");
    }

    [Fact]
    public async Task RedisDown_IsReportedAsUnavailable_NotAsARedisError()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(
            new RedisOptions { Configuration = server.Endpoint }.ToClientOptions()).WaitAsync(TimeSpan.FromSeconds(60));
        var store = new RedisReputationStore(redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 200 }));
        await server.StopAsync();

        await Assert.ThrowsAsync<RedisUnavailableException>(() =>
            store.RecordCheckAsync([new ReputationSubject(SubjectKind.Ip, "ip:x")], Blog, false, Noon, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
    }
}

/// <summary>The same contract against a three-master Redis Cluster: every command names one key, so it holds wherever the subjects land.</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    public RedisClusterProcess Cluster { get; private set; } = null!;

    public ConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await RedisClusterProcess.StartAsync();
        var options = new RedisOptions { Configuration = Cluster.Configuration, CommandTimeoutMilliseconds = 5000 }.ToClientOptions();
        options.AllowAdmin = true;
        Redis = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Empties every master, so a test starts from nothing.</summary>
    public async Task FlushAsync()
    {
        foreach (var server in Redis.GetServers().Where(s => !s.IsReplica))
        {
            await server.FlushAllDatabasesAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

public sealed class RedisClusterReputationStoreTests(RedisClusterFixture fixture) : ReputationStoreContract, IClassFixture<RedisClusterFixture>
{
    protected override async Task<IReputationStore> StoreAsync()
    {
        await fixture.FlushAsync();

        return new RedisReputationStore(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 }));
    }
}
