using System.Globalization;
using System.Runtime.CompilerServices;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// Labelled examples in one Redis Stream ("spamguard:{examples}"): the training data. Entries older than the retention
/// (<see cref="FeedbackOptions.ExampleRetentionDays"/>) are trimmed on every append, and the stream itself expires
/// that long after the last report, so nothing is kept longer than the privacy page says. It is as
/// durable as the Redis persistence behind it, so production runs Redis with the append-only file on
/// (<c>appendonly yes</c>, <c>appendfsync everysec</c>). Each entry is added by a script that first claims its entry
/// id (a key kept 30 days), so a retried or replayed entry is added once; the hash tag keeps the stream and the
/// claims in one Cluster slot, as a script's keys must be.
/// </summary>
public sealed class RedisLabelledExampleStore(IConnectionMultiplexer redis, RedisCallGuard guard, TimeSpan retention) : ILabelledExampleStore
{
    internal static readonly RedisKey Key = "spamguard:{examples}";

    private const string AddOnce = """
        if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
          redis.call('XADD', KEYS[1], '*', 'entry_id', ARGV[2], 'check_id', ARGV[3], 'site', ARGV[4], 'label', ARGV[5],
            'reported_at', ARGV[6], 'content', ARGV[7], 'author_shape', ARGV[8], 'pseudonyms', ARGV[11])
          redis.call('XTRIM', KEYS[1], 'MINID', ARGV[10])
          redis.call('EXPIRE', KEYS[1], ARGV[9])
          return 1
        end
        return 0
        """;

    private static readonly TimeSpan ClaimKept = TimeSpan.FromDays(30);

    private const int Page = 500;

    public Task AppendAsync(LabelledExample example, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(example);
        return guard.RunAsync(() => redis.GetDatabase().ScriptEvaluateAsync(AddOnce,
            [Key, ClaimKey(example.EntryId)],
            [
                (long)ClaimKept.TotalSeconds, example.EntryId, example.CheckId, example.Site, example.Label.ToString(),
                example.ReportedAt.ToUnixTimeMilliseconds(), example.Content, example.AuthorShape,
                (long)Math.Ceiling(retention.TotalSeconds), Math.Max(0, (DateTimeOffset.UtcNow - retention).ToUnixTimeMilliseconds()),
                System.Text.Json.JsonSerializer.Serialize(example.Pseudonyms),
            ]), cancellationToken);
    }

    public async IAsyncEnumerable<LabelledExample> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RedisValue after = "-";
        while (true)
        {
            var from = after;
            var page = await guard.RunAsync(() => redis.GetDatabase().StreamRangeAsync(Key, from, "+", Page), cancellationToken);
            foreach (var entry in page)
            {
                // The start of a range is inclusive: skip the entry the previous page ended on.
                if (entry.Id == after)
                {
                    continue;
                }

                yield return Read(entry);
            }

            if (page.Length < Page)
            {
                yield break;
            }

            after = page[^1].Id;
        }
    }

    /// <summary>Deletes the stream entries carrying any of <paramref name="pseudonyms"/> (an administrative call: the
    /// whole stream is read, in pages); returns how many.</summary>
    public Task<long> EraseAsync(IReadOnlySet<string> pseudonyms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pseudonyms);
        return RemoveWhereAsync(e => e.Pseudonyms.Any(pseudonyms.Contains), cancellationToken);
    }

    public Task<long> RemoveCheckAsync(string checkId, CancellationToken cancellationToken) =>
        RemoveWhereAsync(e => e.CheckId == checkId, cancellationToken);

    private Task<long> RemoveWhereAsync(Func<LabelledExample, bool> doomedIf, CancellationToken cancellationToken)
    {
        return RedisCallGuard.RunAdministrativeAsync(async () =>
        {
            var db = redis.GetDatabase();
            long erased = 0;
            RedisValue after = "-";
            while (true)
            {
                var page = await db.StreamRangeAsync(Key, after, "+", Page);
                var doomed = page.Where(e => e.Id != after && doomedIf(Read(e))).Select(e => e.Id).ToArray();
                if (doomed.Length > 0)
                {
                    erased += await db.StreamDeleteAsync(Key, doomed);
                }

                if (page.Length < Page)
                {
                    return erased;
                }

                after = page[^1].Id;
                cancellationToken.ThrowIfCancellationRequested();
            }
        }, cancellationToken);
    }

    internal static RedisKey ClaimKey(string entryId) => "spamguard:{examples}:entry:" + entryId;

    private static LabelledExample Read(StreamEntry entry)
    {
        var map = entry.Values.ToDictionary(v => (string)v.Name!, v => v.Value, StringComparer.Ordinal);
        return new LabelledExample(
            (string)map["entry_id"]!,
            (string)map["check_id"]!,
            (string)map["site"]!,
            Enum.Parse<ReportLabel>((string)map["label"]!),
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)map["reported_at"]!, CultureInfo.InvariantCulture)),
            (string)map["content"]!,
            (string)map["author_shape"]!)
        {
            Pseudonyms = map.TryGetValue("pseudonyms", out var p) ? System.Text.Json.JsonSerializer.Deserialize<string[]>((string)p!) ?? [] : [],
        };
    }
}
