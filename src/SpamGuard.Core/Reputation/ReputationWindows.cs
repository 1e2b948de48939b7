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

    /// <summary>Sums stored bucket counts into the value of one counter over one window, as seen at <paramref name="now"/>.</summary>
    public static long Count(IReadOnlyDictionary<string, long> buckets, ReputationCounter counter, ReputationWindow window, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var (_, length, count, code) = Layout.Single(l => l.Window == window);
        var current = BucketOf(now, length);
        var prefix = Prefix(counter);
        long sum = 0;
        // A subject holds a few dozen fields; scanning them beats formatting the name of every bucket in the window.
        foreach (var (field, value) in buckets)
        {
            if (TryParse(field, out var fieldPrefix, out var fieldCode, out var bucket)
                && fieldPrefix.SequenceEqual(prefix) && fieldCode.SequenceEqual(code)
                && bucket > current - count && bucket <= current)
            {
                sum += value;
            }
        }

        return sum;
    }

    // "sr:h:493812" → ("sr", "h", 493812) without allocating.
    private static bool TryParse(string field, out ReadOnlySpan<char> prefix, out ReadOnlySpan<char> code, out long bucket)
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
        var parts = field.Split(':');
        if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket))
        {
            return true;
        }

        var layout = Layout.FirstOrDefault(l => l.Code == parts[1]);
        return layout.Code is null || bucket <= BucketOf(now, layout.Bucket) - layout.Buckets;
    }

    private static long BucketOf(DateTimeOffset at, TimeSpan bucket) => at.ToUnixTimeSeconds() / (long)bucket.TotalSeconds;

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
