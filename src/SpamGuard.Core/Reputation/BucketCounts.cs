namespace SpamGuard.Core.Reputation;

/// <summary>
/// Sparse window buckets of the in-process store: one numeric slot (counter, window, bucket number → count) per bucket
/// that holds a count, in two parallel arrays. A subject seen once costs three slots; the busiest subject at most one
/// slot per bucket of every window and counter (4 × 66), and reading it is a scan of plain numbers, with no bucket
/// names to format or parse. Not thread-safe: its owner locks.
/// </summary>
internal sealed class BucketCounts
{
    private const int CounterShift = 60;
    private const int WindowShift = 56;
    private const long BucketMask = (1L << WindowShift) - 1;

    private long[] _keys = [];
    private long[] _values = [];

    public int Count { get; private set; }

    public void Add(ReputationCounter counter, DateTimeOffset at, long delta)
    {
        for (var window = 0; window < ReputationWindows.WindowCount; window++)
        {
            var bucket = ReputationWindows.BucketOf((ReputationWindow)window, at);
            AddSlot(Key(counter, (ReputationWindow)window, bucket), delta);
        }
    }

    /// <summary>Adds every live bucket to <paramref name="counts"/>.</summary>
    public void SumInto(WindowCounts counts, DateTimeOffset now)
    {
        for (var i = 0; i < Count; i++)
        {
            var (counter, window, bucket) = Parts(_keys[i]);
            if (ReputationWindows.IsLive(window, bucket, now))
            {
                counts.Add(counter, window, _values[i]);
            }
        }
    }

    public long Sum(ReputationCounter counter, ReputationWindow window, DateTimeOffset now)
    {
        long sum = 0;
        for (var i = 0; i < Count; i++)
        {
            var (slotCounter, slotWindow, bucket) = Parts(_keys[i]);
            if (slotCounter == counter && slotWindow == window && ReputationWindows.IsLive(window, bucket, now))
            {
                sum += _values[i];
            }
        }

        return sum;
    }

    /// <summary>Drops the slots of buckets older than their window, keeping the others in place.</summary>
    public void DropExpired(DateTimeOffset now)
    {
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            var (_, window, bucket) = Parts(_keys[i]);
            if (!ReputationWindows.IsExpired(window, bucket, now))
            {
                _keys[kept] = _keys[i];
                _values[kept] = _values[i];
                kept++;
            }
        }

        Count = kept;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(Count);
        for (var i = 0; i < Count; i++)
        {
            writer.Write(_keys[i]);
            writer.Write(_values[i]);
        }
    }

    public static BucketCounts Read(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > 4 * 128)
        {
            throw new InvalidDataException($"A reputation entry claims {count} buckets.");
        }

        var buckets = new BucketCounts { _keys = new long[count], _values = new long[count], Count = count };
        for (var i = 0; i < count; i++)
        {
            buckets._keys[i] = reader.ReadInt64();
            buckets._values[i] = reader.ReadInt64();
        }

        return buckets;
    }

    private void AddSlot(long key, long delta)
    {
        var index = Array.IndexOf(_keys, key, 0, Count);
        if (index < 0)
        {
            // A correction never takes a count below zero, e.g. for a report whose bucket has already expired.
            if (delta <= 0)
            {
                return;
            }

            if (Count == _keys.Length)
            {
                var size = Math.Max(3, Count * 2);
                Array.Resize(ref _keys, size);
                Array.Resize(ref _values, size);
            }

            _keys[Count] = key;
            _values[Count] = delta;
            Count++;
            return;
        }

        var value = _values[index] + delta;
        if (value > 0)
        {
            _values[index] = value;
            return;
        }

        Count--;
        _keys[index] = _keys[Count];
        _values[index] = _values[Count];
    }

    private static long Key(ReputationCounter counter, ReputationWindow window, long bucket) =>
        ((long)counter << CounterShift) | ((long)window << WindowShift) | (bucket & BucketMask);

    private static (ReputationCounter Counter, ReputationWindow Window, long Bucket) Parts(long key) =>
        ((ReputationCounter)(key >> CounterShift), (ReputationWindow)((key >> WindowShift) & 0xF), key & BucketMask);
}
