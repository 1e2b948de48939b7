using SpamGuard.Core.Reputation;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// How the Redis store keeps a subject's checks and spam verdicts: one field per window bucket ("a:h:493812") whose
/// value is checks + spam verdicts × 2³², so counting a check is one HINCRBY per window whatever the verdict. That
/// halves the commands a spam check runs per subject, and a check touches about eleven subjects. Reading unpacks it
/// into the <see cref="ReputationWindows"/> fields ("c:h:493812", "sv:h:493812") that the in-process store keeps,
/// so both stores answer the same. Fields written before this packing ("c:", "sv:") are still read and add up.
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

    /// <summary>Whether a subject's field counts checks or spam verdicts (packed, or in the older separate fields).</summary>
    public static bool IsActivity(string field) =>
        field.StartsWith(Prefix + ":", StringComparison.Ordinal) || field.StartsWith(ChecksPrefix + ":", StringComparison.Ordinal)
        || field.StartsWith(VerdictsPrefix + ":", StringComparison.Ordinal);

    /// <summary>Adds a stored field to <paramref name="counts"/> if its bucket is live at <paramref name="now"/>,
    /// unpacking an activity field into its two counters.</summary>
    public static void AddTo(WindowCounts counts, string field, long value, DateTimeOffset now)
    {
        if (!ReputationWindows.TryParseBucket(field, out var prefix, out var window, out var bucket))
        {
            return;
        }

        if (!prefix.SequenceEqual(Prefix))
        {
            counts.AddField(field, value, now);
            return;
        }

        // Unpacked from the numbers, not by building the two fields' names and parsing them again.
        counts.AddBucket(ReputationCounter.Checks, window, bucket, value & ChecksMask, now);
        counts.AddBucket(ReputationCounter.SpamVerdicts, window, bucket, value >> VerdictShift, now);
    }

    // "c:m:5986446" → "a:m:5986446": the same bucket, packed.
    private static string Packed(string checksField) => Prefix + checksField[ChecksPrefix.Length..];
}
