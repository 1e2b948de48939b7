using System.Globalization;
using SpamGuard.Core.Keys;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// Usage counters in Redis: one hash per key and month ("spamguard:{usage}:&lt;key id&gt;:&lt;yyyy-MM&gt;"), one field per
/// site and kind, so every node adds to the same figures with HINCRBY. Counts hold no personal data (site URLs and
/// numbers); a month's hash expires after <see cref="Retention"/>, long enough to compare a month with the last year's.
/// </summary>
public sealed class RedisSiteUsageStore(IConnectionMultiplexer redis) : ISiteUsageStore
{
    public static readonly TimeSpan Retention = SiteUsageCounter.Retention;

    private const char Separator = '\n';

    public async Task AddAsync(IReadOnlyDictionary<UsageCell, long> increments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(increments);
        if (increments.Count == 0)
        {
            return;
        }

        // A background flush, not a check: held to the administrative timeout, not the per-check one.
        await RedisCallGuard.RunAdministrativeAsync(async () =>
        {
            var batch = redis.GetDatabase().CreateBatch();
            var writes = new List<Task>(increments.Count * 2);
            foreach (var group in increments.GroupBy(i => (i.Key.KeyId, i.Key.Month)))
            {
                var hash = HashKey(group.Key.KeyId, group.Key.Month);
                writes.AddRange(group.Select(i => (Task)batch.HashIncrementAsync(hash, Field(i.Key.Site, i.Key.Kind), i.Value)));
                writes.Add(batch.KeyExpireAsync(hash, Retention));
            }

            batch.Execute();
            await Task.WhenAll(writes);
            return true;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<SiteUsage>> ReadAsync(string keyId, string month, CancellationToken cancellationToken)
    {
        var entries = await RedisCallGuard.RunAdministrativeAsync(() => redis.GetDatabase().HashGetAllAsync(HashKey(keyId, month)), cancellationToken);
        var cells = new List<KeyValuePair<UsageCell, long>>(entries.Length);
        foreach (var entry in entries)
        {
            var field = (string)entry.Name!;
            var split = field.IndexOf(Separator, StringComparison.Ordinal);
            if (split > 0 && Enum.TryParse<UsageKind>(field[..split], out var kind) && long.TryParse((string?)entry.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
            {
                cells.Add(new(new UsageCell(keyId, month, field[(split + 1)..], kind), count));
            }
        }

        return SiteUsageCounter.Tabulate(cells);
    }

    private static RedisKey HashKey(string keyId, string month) => $"spamguard:{{usage}}:{keyId}:{month}";

    private static RedisValue Field(string site, UsageKind kind) => $"{kind}{Separator}{site}";
}
