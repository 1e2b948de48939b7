using System.Globalization;
using System.Runtime.CompilerServices;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// Labelled examples in one Redis Stream ("spamguard:examples"), never trimmed: it is the training data. It is as
/// durable as the Redis persistence behind it, so production runs Redis with the append-only file on
/// (<c>appendonly yes</c>, <c>appendfsync everysec</c>). One key, so it lives on one Cluster node.
/// </summary>
public sealed class RedisLabelledExampleStore(IConnectionMultiplexer redis, RedisCallGuard guard) : ILabelledExampleStore
{
    internal static readonly RedisKey Key = "spamguard:examples";

    private const int Page = 500;

    public Task AppendAsync(LabelledExample example, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(example);
        return guard.RunAsync(() => redis.GetDatabase().StreamAddAsync(Key,
        [
            new("check_id", example.CheckId),
            new("site", example.Site),
            new("label", example.Label.ToString()),
            new("reported_at", example.ReportedAt.ToUnixTimeMilliseconds()),
            new("content", example.Content),
            new("author_shape", example.AuthorShape),
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

    private static LabelledExample Read(StreamEntry entry)
    {
        var map = entry.Values.ToDictionary(v => (string)v.Name!, v => v.Value, StringComparer.Ordinal);
        return new LabelledExample(
            (string)map["check_id"]!,
            (string)map["site"]!,
            Enum.Parse<ReportLabel>((string)map["label"]!),
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)map["reported_at"]!, CultureInfo.InvariantCulture)),
            (string)map["content"]!,
            (string)map["author_shape"]!);
    }
}
