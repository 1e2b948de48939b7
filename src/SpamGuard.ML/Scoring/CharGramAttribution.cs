using System.Text;
using SpamGuard.Core.Features;

namespace SpamGuard.ML.Scoring;

/// <summary>
/// Turns the contributions of character n-grams into contributions of the words they occur in. The featuriser
/// counts every occurrence of an n-gram, so each occurrence gets an equal share of the n-gram's contribution and
/// that share goes to the word the occurrence starts in: "free" in "freedom is free" is split between both words,
/// not given to the first. N-grams that cannot be placed (the featuriser's text normalisation differs from this
/// reconstruction in rare cases) are returned as a remainder, so the parts still add up to the whole.
/// </summary>
internal sealed class CharGramAttribution
{
    /// <summary>Marker the featuriser puts before the text.</summary>
    public const char Start = '\u0002';

    /// <summary>Marker the featuriser puts after the text.</summary>
    public const char End = '\u0003';

    private readonly Dictionary<string, int> _slotsByGram;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int[] _lengths;

    public CharGramAttribution(IReadOnlyList<FeatureSlot> slots)
    {
        _slotsByGram = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < slots.Count; i++)
        {
            if (slots[i].CharGram is { Length: > 0 } gram)
            {
                _slotsByGram.TryAdd(gram, i);
            }
        }

        _lookup = _slotsByGram.GetAlternateLookup<ReadOnlySpan<char>>();
        // Built here, when a model loads, so that the first explained request does not pay for it.
        _ = FeaturizerCharacterMap.Apply(' ');
        _lengths = [.. _slotsByGram.Keys.Select(k => k.Length).Distinct().Order()];
    }

    /// <summary>Splits <paramref name="contributions"/> (char-gram slot → contribution) over the words of <paramref name="text"/>.</summary>
    /// <returns>Contribution per word (the word as shown to a moderator) and what could not be placed.</returns>
    public (Dictionary<string, double> PerWord, double Remainder) Attribute(string text, IReadOnlyDictionary<int, double> contributions)
    {
        var perWord = new Dictionary<string, double>(StringComparer.Ordinal);
        if (contributions.Count == 0)
        {
            return (perWord, 0);
        }

        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var (sequence, owner) = Reconstruct(words);
        var occurrences = new Dictionary<int, int>();
        var placed = new List<(int Slot, int Word)>();
        foreach (var length in _lengths)
        {
            for (var i = 0; i + length <= sequence.Length; i++)
            {
                if (_lookup.TryGetValue(sequence.AsSpan(i, length), out var slot) && contributions.ContainsKey(slot))
                {
                    occurrences[slot] = occurrences.GetValueOrDefault(slot) + 1;
                    placed.Add((slot, MainOwner(owner, i, length)));
                }
            }
        }

        var remainder = contributions.Where(c => !occurrences.ContainsKey(c.Key)).Sum(c => c.Value);
        foreach (var (slot, word) in placed)
        {
            var share = contributions[slot] / occurrences[slot];
            if (word < 0)
            {
                remainder += share;
                continue;
            }

            var evidence = Evidence(words[word]);
            perWord[evidence] = perWord.GetValueOrDefault(evidence) + share;
        }

        return (perWord, remainder);
    }

    // The featuriser normalises each character (FeaturizerCharacterMap) and wraps the text in markers; the same is
    // done per word here, remembering which word each character came from (-1 for markers and spaces).
    private static (string Sequence, int[] Owner) Reconstruct(string[] words)
    {
        var sequence = new StringBuilder(words.Sum(w => w.Length + 1) + 2).Append(Start);
        var owner = new List<int>(sequence.Capacity) { -1 };
        for (var w = 0; w < words.Length; w++)
        {
            if (w > 0)
            {
                sequence.Append(' ');
                owner.Add(-1);
            }

            foreach (var c in words[w])
            {
                if (FeaturizerCharacterMap.Apply(c) is { } seen)
                {
                    sequence.Append(seen);
                    owner.Add(w);
                }
            }
        }

        sequence.Append(End);
        owner.Add(-1);
        return (sequence.ToString(), [.. owner]);
    }

    /// <summary>The word most of the n-gram's characters come from ("e fr" belongs to "free" in "the free").</summary>
    private static int MainOwner(int[] owner, int start, int length)
    {
        int best = -1, bestCount = 0;
        for (var i = start; i < start + length; i++)
        {
            if (owner[i] < 0 || owner[i] == best)
            {
                continue;
            }

            var count = 0;
            for (var j = i; j < start + length && owner[j] == owner[i]; j++)
            {
                count++;
            }

            if (count > bestCount)
            {
                (best, bestCount) = (owner[i], count);
            }
        }

        return best;
    }

    private const int MaxEvidenceLength = 40;

    private static readonly char[] WordPunctuation = ['.', ',', ';', ':', '!', '?', '(', ')', '"', '\'', '[', ']', '*'];

    private static string Evidence(string word)
    {
        var shown = word.Trim(WordPunctuation).Replace(TextNormalizer.LinkPlaceholder, "<link>", StringComparison.Ordinal).ToLowerInvariant();
        if (shown.Length == 0)
        {
            shown = word.ToLowerInvariant();
        }

        return shown.Length <= MaxEvidenceLength ? shown : shown[..MaxEvidenceLength] + "…";
    }
}
