using SpamGuard.Core.Reputation;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// How the Redis store keeps a subject's checks and spam verdicts: one field per window bucket ("a:h:493812") whose
/// value is checks + spam verdicts × 2³², so counting a check is one HINCRBY per window whatever the verdict. That
/// halves the commands a spam check runs per subject, and a check touches about eleven subjects. Reading unpacks it
/// into the checks and spam verdicts of <see cref="WindowCounts"/>, as the in-process store counts them, so both
/// stores answer the same. Fields written before this packing ("c:", "sv:") are still read and add up.
/// </summary>
internal static class ActivityCounts
{
    private const string Prefix = "a";
    private static readonly string ChecksPrefix = ReputationWindows.Prefix(ReputationCounter.Checks);
    private static readonly string VerdictsPrefix = ReputationWindows.Prefix(ReputationCounter.SpamVerdicts);
    private const int VerdictShift = 32;
    private const long ChecksMask = (1L << VerdictShift) - 1;

    /// <summary>What one check adds to each of its buckets.</summary>
    public static long Delta(bool modelSaysSpam) => modelSaysSpam ? 1 + (1L << VerdictShift) : 1;

    /// <summary>The packed fields a check at <paramref name="at"/> increments, the 5-minute bucket first (the script
    /// renews the TTL when that one is new).</summary>
    public static RedisValue[] Fields(DateTimeOffset at) =>
        [.. ReputationWindows.FieldsToIncrement(ReputationCounter.Checks, at).Select(f => (RedisValue)Packed(f))];

    /// <summary>Adds a stored bucket (its field already parsed into <paramref name="prefix"/>, window and bucket) to
    /// <paramref name="counts"/> if it counts checks or spam verdicts, packed or in the older separate fields, and is
    /// live at <paramref name="now"/>; other fields of the subject's hash add nothing.</summary>
    public static void AddTo(WindowCounts counts, ReadOnlySpan<char> prefix, ReputationWindow window, long bucket, long value, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (prefix.SequenceEqual(Prefix))
        {
            counts.AddBucket(ReputationCounter.Checks, window, bucket, value & ChecksMask, now);
            counts.AddBucket(ReputationCounter.SpamVerdicts, window, bucket, value >> VerdictShift, now);
        }
        else if (prefix.SequenceEqual(ChecksPrefix))
        {
            counts.AddBucket(ReputationCounter.Checks, window, bucket, value, now);
        }
        else if (prefix.SequenceEqual(VerdictsPrefix))
        {
            counts.AddBucket(ReputationCounter.SpamVerdicts, window, bucket, value, now);
        }
    }

    // "c:m:5986446" → "a:m:5986446": the same bucket, packed.
    private static string Packed(string checksField) => Prefix + checksField[ChecksPrefix.Length..];
}
