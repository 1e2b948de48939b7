using System.Security.Cryptography;
using System.Text;
using SpamGuard.Core.Features;
using SpamGuard.ML.Data;

namespace SpamGuard.ML.Training;

/// <summary>A training example with its features and the key that groups identical texts.</summary>
internal sealed record FeaturizedExample(TrainingExample Example, CommentFeatures Features)
{
    /// <summary>
    /// Texts that differ only in case, punctuation or spacing ("Call now!" and "call now") share a key and always
    /// land on the same side of every split: such near-copies on both sides would inflate validation scores.
    /// </summary>
    public string GroupKey { get; } = GroupKeys.Of(Features.Text);
}

internal static class GroupKeys
{
    /// <summary>The letters and digits of <paramref name="text"/>, lower-cased, words separated by one space.</summary>
    public static string Of(string text)
    {
        var key = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                key.Append(char.ToLowerInvariant(c));
            }
            else if (key.Length > 0 && key[^1] != ' ')
            {
                key.Append(' ');
            }
        }

        return key.ToString().TrimEnd();
    }
}

/// <summary>
/// Deterministic, grouped, stratified splitting: every (corpus, label) stratum gives the same share to validation,
/// copies of one text never straddle the split (duplicates would inflate the score), and the order comes from
/// hashing the seed with the text, so the same seed and data give the same split on every machine.
/// </summary>
internal static class DataSplit
{
    public static (List<FeaturizedExample> Train, List<FeaturizedExample> Validation) Split(
        IReadOnlyList<FeaturizedExample> rows, double validationFraction, int seed)
    {
        var validation = new List<FeaturizedExample>();
        foreach (var stratum in rows.GroupBy(r => (r.Example.Corpus, r.Example.IsSpam)))
        {
            if (stratum.Key.Corpus == ReportsCorpus)
            {
                // Reports grow between retrains. Filling a quota would move texts across the split as rows arrive, so a
                // text the last candidate trained on could land in the next evaluation; a per-text hash keeps every
                // report on its side for good.
                validation.AddRange(stratum.Where(r => Share(seed, r.GroupKey) < validationFraction));
                continue;
            }

            var target = (int)Math.Floor((validationFraction * stratum.Count()) + 0.5);
            var taken = 0;
            foreach (var group in stratum.GroupBy(r => r.GroupKey).OrderBy(g => Hash(seed, "split", g.Key), StringComparer.Ordinal))
            {
                var size = group.Count();
                if (taken + size <= target)
                {
                    validation.AddRange(group);
                    taken += size;
                }
            }
        }

        // A text that also occurs in another stratum stays out of training entirely.
        var held = validation.Select(v => v.GroupKey).ToHashSet(StringComparer.Ordinal);
        var heldRows = validation.ToHashSet();
        var train = rows.Where(r => !heldRows.Contains(r) && !held.Contains(r.GroupKey)).ToList();
        return (train, validation);
    }

    /// <summary>The corpus name of reported examples (see <see cref="Split"/>).</summary>
    public const string ReportsCorpus = "reports";

    private static double Share(int seed, string key) =>
        uint.Parse(Hash(seed, "split", key)[..8], System.Globalization.NumberStyles.HexNumber) / (double)uint.MaxValue;

    /// <summary>Keeps the first row of each (text, label): repeated spam templates would otherwise outweigh the rest.</summary>
    public static List<FeaturizedExample> Deduplicate(IEnumerable<FeaturizedExample> rows) =>
        rows.DistinctBy(r => (r.GroupKey, r.Example.IsSpam)).ToList();

    public static int Fold(FeaturizedExample row, int folds, int seed) =>
        (int)(uint.Parse(Hash(seed, "fold", row.GroupKey)[..8], System.Globalization.NumberStyles.HexNumber) % (uint)folds);

    private static string Hash(int seed, string purpose, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}|{purpose}|{key}")));
}
