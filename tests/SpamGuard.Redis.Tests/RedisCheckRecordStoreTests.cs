using System.Text.Json;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Scoring;
using SpamGuard.Testing.Contracts;
using StackExchange.Redis;

namespace SpamGuard.Redis.Tests;

public sealed class RedisCheckRecordStoreTests(RedisServerFixture fixture) : CheckRecordStoreContract, IClassFixture<RedisServerFixture>
{
    protected override Task<ICheckRecordStore> StoreAsync() =>
        Task.FromResult<ICheckRecordStore>(new RedisCheckRecordStore(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 })));

    [Fact]
    public async Task Record_ExpiresWithItsRetention()
    {
        var store = await StoreAsync();
        var record = Record(Guid.NewGuid().ToString("N"));

        await store.SaveAsync(record, TimeSpan.FromDays(7), CancellationToken.None);
        await store.ReportAsync(record.CheckId, record.Site, Core.Reputation.ReportLabel.Spam, Noon, "entry-" + Guid.NewGuid().ToString("N"), CancellationToken.None);

        var ttl = await fixture.Redis.GetDatabase().KeyTimeToLiveAsync(RedisCheckRecordStore.Key(record.CheckId));
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
    }

    [Fact]
    public async Task ProcessingTexts_AreKeptOnceForEveryRecordThatUsesThem_AndOutliveTheRecords()
    {
        var store = await StoreAsync();
        var sentence = "Reputation: counted under a keyed pseudonym. " + Guid.NewGuid().ToString("N");
        var first = Record(Guid.NewGuid().ToString("N"));
        var second = Record(Guid.NewGuid().ToString("N"));

        await store.SaveAsync(first, TimeSpan.FromDays(20), CancellationToken.None);
        await store.SaveAsync(second, TimeSpan.FromDays(7), CancellationToken.None);
        store.AttachReceipt(first.CheckId, Receipt(sentence, "ip:FIRST"));
        store.AttachReceipt(second.CheckId, Receipt(sentence, "ip:SECOND"));
        var readFirst = (await store.GetAsync(first.CheckId, CancellationToken.None))?.Receipt;
        var readSecond = (await store.GetAsync(second.CheckId, CancellationToken.None))?.Receipt;

        Assert.Equal(["ip:FIRST"], Assert.Single(readFirst!.Processing).Pseudonyms);
        Assert.Equal(["ip:SECOND"], Assert.Single(readSecond!.Processing).Pseudonyms);
        Assert.Equal(sentence, readSecond.Processing[0].Purpose);
        var db = fixture.Redis.GetDatabase();
        foreach (var record in new[] { first, second })
        {
            Assert.DoesNotContain(sentence, (string?)await db.HashGetAsync(RedisCheckRecordStore.Key(record.CheckId), "receipt"), StringComparison.Ordinal);
        }

        var texts = await TextKeysContainingAsync(sentence);
        var text = Assert.Single(texts);
        var ttl = await db.KeyTimeToLiveAsync(text);
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(20) + StoredReceipts.RefreshInterval, TimeSpan.FromDays(20) + (2 * StoredReceipts.RefreshInterval));
    }

    [Fact]
    public async Task ReceiptWhoseProcessingTextIsGone_ReadsAsMissing_AndTheTextIsWrittenAgainWhenNextUsed()
    {
        var store = await StoreAsync();
        var sentence = "Kept with the check record. " + Guid.NewGuid().ToString("N");
        var lost = Record(Guid.NewGuid().ToString("N"));
        await store.SaveAsync(lost, TimeSpan.FromDays(7), CancellationToken.None);
        store.AttachReceipt(lost.CheckId, Receipt(sentence, "ip:LOST"));
        Assert.NotNull((await store.GetAsync(lost.CheckId, CancellationToken.None))?.Receipt);

        await fixture.Redis.GetDatabase().KeyDeleteAsync(Assert.Single(await TextKeysContainingAsync(sentence)));
        var afterLoss = await StoreAsync();
        var read = await afterLoss.GetAsync(lost.CheckId, CancellationToken.None);
        var later = Record(Guid.NewGuid().ToString("N"));
        await afterLoss.SaveAsync(later, TimeSpan.FromDays(7), CancellationToken.None);
        afterLoss.AttachReceipt(later.CheckId, Receipt(sentence, "ip:LATER"));

        Assert.NotNull(read);
        Assert.Null(read.Receipt);
        Assert.Equal(sentence, Assert.Single((await afterLoss.GetAsync(later.CheckId, CancellationToken.None))!.Receipt!.Processing).Purpose);
    }

    [Fact]
    public async Task ReceiptStoredWholeByEarlierVersions_StillReadsBack()
    {
        var store = await StoreAsync();
        var record = Record(Guid.NewGuid().ToString("N"));
        await store.SaveAsync(record, TimeSpan.FromDays(7), CancellationToken.None);
        var receipt = Receipt("Reputation: counted.", "ip:OLD");
        await fixture.Redis.GetDatabase().HashSetAsync(RedisCheckRecordStore.Key(record.CheckId), "receipt", JsonSerializer.Serialize(receipt));

        var read = (await store.GetAsync(record.CheckId, CancellationToken.None))?.Receipt;

        Assert.NotNull(read);
        Assert.Equal((receipt.Verdict, receipt.Summary), (read.Verdict, read.Summary));
        var entry = Assert.Single(read.Processing);
        Assert.Equal(("Reputation: counted.", DataHandling.StoredPseudonymised, TimeSpan.FromDays(31)), (entry.Purpose, entry.Handling, entry.Retention));
        Assert.Equal(["ip:OLD"], entry.Pseudonyms);
    }

    private static CheckReceipt Receipt(string purpose, string pseudonym) =>
        new(Verdict.Spam, 0.93, "spamguard-1.1.0", [new FieldProcessing("user_ip", purpose, DataHandling.StoredPseudonymised, TimeSpan.FromDays(31)) { Pseudonyms = [pseudonym] }])
        {
            Summary = "Spam: a price and a short code.",
        };

    private async Task<List<RedisKey>> TextKeysContainingAsync(string sentence)
    {
        var server = fixture.Redis.GetServers().Single();
        var found = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: "spamguard:processing:*"))
        {
            if (((string?)await fixture.Redis.GetDatabase().StringGetAsync(key))?.Contains(sentence, StringComparison.Ordinal) == true)
            {
                found.Add(key);
            }
        }

        return found;
    }
}

public sealed class RedisClusterCheckRecordStoreTests(RedisClusterFixture fixture) : CheckRecordStoreContract, IClassFixture<RedisClusterFixture>
{
    protected override Task<ICheckRecordStore> StoreAsync() =>
        Task.FromResult<ICheckRecordStore>(new RedisCheckRecordStore(fixture.Redis, new RedisCallGuard(new RedisResilienceOptions { TimeoutMilliseconds = 5000 })));
}
