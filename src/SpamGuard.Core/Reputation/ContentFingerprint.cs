using System.Numerics;
using System.Text;

namespace SpamGuard.Core.Reputation;

/// <summary>
/// A 64-bit SimHash of a comment's text (Charikar 2002; the near-duplicate setting of Manku et al. 2007): texts that
/// share most of their character 4-grams get fingerprints that differ in few bits, so a spam template with a word
/// or a link swapped is recognised as the template. Character shingles rather than word shingles, because comments
/// are short: in a ten-word comment one changed word touches a third of the word 3-shingles but a tenth of the
/// character 4-grams.
/// </summary>
public readonly record struct ContentFingerprint(ulong Value)
{
    /// <summary>
    /// Fingerprints at most this many bits apart are near-duplicates. Measured on the pairs in ContentFingerprintTests:
    /// edited copies (a word, a number, a link, punctuation or case changed) were 0 to 11 bits apart, unrelated
    /// comments 29 to 36 bits; 12 keeps every edit and leaves a wide gap to unrelated text.
    /// </summary>
    public const int NearDuplicateDistance = 12;

    /// <summary>Bands for lookup by exact key: with <see cref="NearDuplicateDistance"/> + 1 bands, two fingerprints
    /// within the distance agree exactly on at least one band (pigeonhole), so a store that indexes each band finds
    /// every near-duplicate. Bands this short also match unrelated texts, so candidates are confirmed with
    /// <see cref="IsNearDuplicateOf"/>.</summary>
    public const int BandCount = NearDuplicateDistance + 1;

    private const int Shingle = 4;

    /// <summary>Fingerprint of <paramref name="text"/> (normalised content); null when it has too little text to compare.</summary>
    public static ContentFingerprint? Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var canonical = Canonical(text);
        if (canonical.Length < Shingle * 2)
        {
            return null;
        }

        Span<int> votes = stackalloc int[64];
        for (var i = 0; i + Shingle <= canonical.Length; i++)
        {
            var hash = Hash(canonical.AsSpan(i, Shingle));
            for (var bit = 0; bit < 64; bit++)
            {
                votes[bit] += ((hash >> bit) & 1) == 1 ? 1 : -1;
            }
        }

        var value = 0UL;
        for (var bit = 0; bit < 64; bit++)
        {
            value |= votes[bit] > 0 ? 1UL << bit : 0;
        }

        return new ContentFingerprint(value);
    }

    public int DistanceTo(ContentFingerprint other) => BitOperations.PopCount(Value ^ other.Value);

    public bool IsNearDuplicateOf(ContentFingerprint other) => DistanceTo(other) <= NearDuplicateDistance;

    /// <summary>The bands as (index, bits) keys: near-duplicates share at least one.</summary>
    public IEnumerable<(int Band, ulong Bits)> Bands()
    {
        for (var band = 0; band < BandCount; band++)
        {
            var (start, width) = BandRange(band);
            yield return (band, (Value >> start) & ((1UL << width) - 1));
        }
    }

    // 64 bits split into BandCount nearly equal runs.
    private static (int Start, int Width) BandRange(int band)
    {
        var start = band * 64 / BandCount;
        return (start, ((band + 1) * 64 / BandCount) - start);
    }

    // Letters and digits, lower-cased, one space between words: case, punctuation and spacing do not matter.
    private static string Canonical(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (sb.Length > 0 && sb[^1] != ' ')
            {
                sb.Append(' ');
            }
        }

        return sb.ToString().TrimEnd();
    }

    // FNV-1a over the UTF-16 units, then the SplitMix64 finaliser so every output bit depends on every input bit.
    private static ulong Hash(ReadOnlySpan<char> shingle)
    {
        var h = 14695981039346656037UL;
        foreach (var c in shingle)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }
}
