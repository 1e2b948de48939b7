namespace SpamGuard.Core.Reputation;

/// <summary>
/// One subject's counts as a site read them at one moment: every <see cref="ReputationCounter"/> summed over every
/// <see cref="ReputationWindow"/>, twelve numbers. Stores sum their buckets into this once per read, so the scorer
/// reads plain numbers instead of scanning bucket names for each question it asks.
/// </summary>
public sealed class WindowCounts : IEquatable<WindowCounts>
{
    private const int Counters = 4;
    private readonly long[] _counts = new long[Counters * ReputationWindows.WindowCount];

    /// <summary>The sum of <paramref name="counter"/> over <paramref name="window"/>.</summary>
    public long this[ReputationCounter counter, ReputationWindow window] => _counts[Index(counter, window)];

    /// <summary>Whether every count is zero: nothing seen in any window.</summary>
    public bool IsEmpty => Array.TrueForAll(_counts, c => c == 0);

    /// <summary>Adds <paramref name="value"/> for a bucket of <paramref name="window"/> that is live at the time of the read.</summary>
    public void Add(ReputationCounter counter, ReputationWindow window, long value) => _counts[Index(counter, window)] += value;

    /// <summary>Sums stored bucket fields ("sr:h:493812" → count) as they stand at <paramref name="now"/>; fields of
    /// buckets outside their window, and fields that are not buckets, are ignored.</summary>
    public static WindowCounts FromFields(IEnumerable<KeyValuePair<string, long>> fields, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var counts = new WindowCounts();
        foreach (var (field, value) in fields)
        {
            counts.AddField(field, value, now);
        }

        return counts;
    }

    /// <summary>Adds one stored bucket field if it is live at <paramref name="now"/>.</summary>
    public void AddField(string field, long value, DateTimeOffset now)
    {
        if (ReputationWindows.TryParse(field, out var counter, out var window, out var bucket))
        {
            AddBucket(counter, window, bucket, value, now);
        }
    }

    /// <summary>Adds the count of bucket <paramref name="bucket"/> of <paramref name="window"/> if it is live at
    /// <paramref name="now"/>.</summary>
    public void AddBucket(ReputationCounter counter, ReputationWindow window, long bucket, long value, DateTimeOffset now)
    {
        if (ReputationWindows.IsLive(window, bucket, now))
        {
            Add(counter, window, value);
        }
    }

    public bool Equals(WindowCounts? other) => other is not null && _counts.AsSpan().SequenceEqual(other._counts);

    public override bool Equals(object? obj) => Equals(obj as WindowCounts);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_counts.AsSpan()));
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(' ', _counts);

    private static int Index(ReputationCounter counter, ReputationWindow window) => ((int)counter * ReputationWindows.WindowCount) + (int)window;
}
