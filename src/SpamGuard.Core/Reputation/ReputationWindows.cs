using System.Globalization;

namespace SpamGuard.Core.Reputation;

/// <summary>What is counted per reputation subject.</summary>
public enum ReputationCounter
{
    Checks,
    SpamVerdicts,
    SpamReports,
    HamReports,
}

/// <summary>The sliding windows reputation is read over.</summary>
public enum ReputationWindow
{
    LastHour,
    LastDay,
    Last30Days,
}

/// <summary>
/// Sliding windows as sums of time buckets, so that an in-process store and a Redis hash count the same way: each
/// event increments one bucket per window (a 5-minute bucket for the hour, an hour bucket for the day, a day bucket
/// for 30 days), and a window is the sum of its current bucket and the buckets before it. A window therefore spans
/// between its length and its length plus one bucket (the current bucket is partly filled), which is exact enough
/// for "reported 4 times in the last 24 h" and keeps every read a fixed number of fields.
/// </summary>
public static class ReputationWindows
{
    private static readonly (ReputationWindow Window, TimeSpan Bucket, int Buckets, string Code)[] Layout =
    [
        (ReputationWindow.LastHour, TimeSpan.FromMinutes(5), 12, "m"),
        (ReputationWindow.LastDay, TimeSpan.FromHours(1), 24, "h"),
        (ReputationWindow.Last30Days, TimeSpan.FromDays(1), 30, "d"),
    ];

    /// <summary>Longest a bucket can still be read: keys holding buckets can expire this long after their last write.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(31);

    /// <summary>The bucket fields an event at <paramref name="at"/> increments, one per window, e.g. "sr:h:493812".</summary>
    public static IEnumerable<string> FieldsToIncrement(ReputationCounter counter, DateTimeOffset at)
    {
        foreach (var (_, bucket, _, code) in Layout)
        {
            yield return Field(counter, code, BucketOf(at, bucket));
        }
    }

    // "sr:h:493812" → ("sr", "h", 493812) without allocating.
    private static bool TrySplit(string field, out ReadOnlySpan<char> prefix, out ReadOnlySpan<char> code, out long bucket)
    {
        var span = field.AsSpan();
        var first = span.IndexOf(':');
        var second = first < 0 ? -1 : span[(first + 1)..].IndexOf(':');
        if (second < 0)
        {
            prefix = code = default;
            bucket = 0;
            return false;
        }

        prefix = span[..first];
        code = span.Slice(first + 1, second);
        return long.TryParse(span[(first + second + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out bucket);
    }

    /// <summary>Fields older than every window at <paramref name="now"/>, which a store may delete.</summary>
    public static bool IsExpired(string field, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(field);
        return !TryParseBucket(field, out _, out var window, out var bucket) || IsExpired(window, bucket, now);
    }

    private static long BucketOf(DateTimeOffset at, TimeSpan bucket) => at.ToUnixTimeSeconds() / (long)bucket.TotalSeconds;

    /// <summary>The windows, in the order of <see cref="ReputationWindow"/>.</summary>
    public const int WindowCount = 3;

    /// <summary>The number of the bucket of <paramref name="window"/> that an event at <paramref name="at"/> falls in.</summary>
    public static long BucketOf(ReputationWindow window, DateTimeOffset at) => BucketOf(at, Layout[(int)window].Bucket);

    /// <summary>Whether bucket <paramref name="bucket"/> of <paramref name="window"/> is part of the window at
    /// <paramref name="now"/> (the current bucket and the ones before it, never a future one).</summary>
    public static bool IsLive(ReputationWindow window, long bucket, DateTimeOffset now)
    {
        var (_, length, count, _) = Layout[(int)window];
        var current = BucketOf(now, length);
        return bucket > current - count && bucket <= current;
    }

    /// <summary>Whether bucket <paramref name="bucket"/> of <paramref name="window"/> is older than the window at
    /// <paramref name="now"/>, so a store may drop it.</summary>
    public static bool IsExpired(ReputationWindow window, long bucket, DateTimeOffset now)
    {
        var (_, length, count, _) = Layout[(int)window];
        return bucket <= BucketOf(now, length) - count;
    }

    /// <summary>Reads a stored field ("sr:h:493812") as its counter, window and bucket.</summary>
    public static bool TryParse(string field, out ReputationCounter counter, out ReputationWindow window, out long bucket)
    {
        counter = default;
        return TryParseBucket(field, out var prefix, out window, out bucket) && TryCounter(prefix, out counter);
    }

    /// <summary>Reads a stored field as its prefix (a counter's, or a store's own such as a packed one), window and
    /// bucket, whatever the prefix.</summary>
    public static bool TryParseBucket(string field, out ReadOnlySpan<char> prefix, out ReputationWindow window, out long bucket)
    {
        ArgumentNullException.ThrowIfNull(field);
        window = default;
        return TrySplit(field, out prefix, out var code, out bucket) && TryWindow(code, out window);
    }

    private static bool TryCounter(ReadOnlySpan<char> prefix, out ReputationCounter counter)
    {
        foreach (var candidate in Counters)
        {
            if (prefix.SequenceEqual(Prefix(candidate)))
            {
                counter = candidate;
                return true;
            }
        }

        counter = default;
        return false;
    }

    private static bool TryWindow(ReadOnlySpan<char> code, out ReputationWindow window)
    {
        foreach (var (candidate, _, _, candidateCode) in Layout)
        {
            if (code.SequenceEqual(candidateCode))
            {
                window = candidate;
                return true;
            }
        }

        window = default;
        return false;
    }

    /// <summary>Every counter, in the order of <see cref="ReputationCounter"/>.</summary>
    public static ReadOnlySpan<ReputationCounter> Counters =>
        [ReputationCounter.Checks, ReputationCounter.SpamVerdicts, ReputationCounter.SpamReports, ReputationCounter.HamReports];

    private static string Field(ReputationCounter counter, string code, long bucket) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix(counter)}:{code}:{bucket}");

    /// <summary>How a counter's fields start ("c" in "c:h:493812").</summary>
    public static string Prefix(ReputationCounter counter) => counter switch
    {
        ReputationCounter.Checks => "c",
        ReputationCounter.SpamVerdicts => "sv",
        ReputationCounter.SpamReports => "sr",
        ReputationCounter.HamReports => "hr",
        _ => throw new ArgumentOutOfRangeException(nameof(counter), counter, null),
    };
}
