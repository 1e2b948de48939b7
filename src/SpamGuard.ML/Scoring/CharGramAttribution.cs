using System.Runtime.InteropServices;
using SpamGuard.Core.Explanations;
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

    /// <summary>Stands for any UTF-16 surrogate: ML.NET names every one of them the same way.</summary>
    public const char Surrogate = '\uFFFF';

    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly string?[] _gramOfSlot;
    private readonly int[] _lengths;

    public CharGramAttribution(IReadOnlyList<FeatureSlot> slots)
    {
        _gramOfSlot = [.. slots.Select(s => s.CharGram is { Length: > 0 } gram ? gram : null)];
        _lengths = [.. _gramOfSlot.OfType<string>().Select(g => g.Length).Distinct().Order()];
        // Built here, when a model loads, so that the first explained request does not pay for it.
        _ = FeaturizerCharacterMap.Apply(' ');
    }

    /// <summary>Splits the contributions of character n-gram slots over the words of <paramref name="text"/>.</summary>
    /// <returns>Contribution per word (the word as shown to a moderator) and what could not be placed. The dictionary
    /// is reused by this thread: read it before the thread attributes again.</returns>
    public (Dictionary<string, double> PerWord, double Remainder) Attribute(string text, List<(int Slot, double Contribution)> grams)
    {
        var scratch = t_scratch ??= new Scratch();
        var perWord = scratch.PerWord;
        perWord.Clear();
        if (grams.Count == 0)
        {
            return (perWord, 0);
        }

        // Only the n-grams this text has are looked for: a table of a few dozen stays in cache, the model's whole
        // vocabulary would not.
        var indexOfGram = scratch.IndexOfGram;
        indexOfGram.Clear();
        for (var g = 0; g < grams.Count; g++)
        {
            indexOfGram[_gramOfSlot[grams[g].Slot]!] = g;
        }

        var lookup = indexOfGram.GetAlternateLookup<ReadOnlySpan<char>>();
        var length = Reconstruct(text, scratch);
        var sequence = scratch.Sequence.AsSpan(0, length);
        var owner = scratch.Owner.AsSpan(0, length);
        var words = scratch.Words;
        var occurrences = scratch.Occurrences(grams.Count);
        var placed = scratch.Placed;
        placed.Clear();
        foreach (var n in _lengths)
        {
            for (var i = 0; i + n <= sequence.Length; i++)
            {
                if (lookup.TryGetValue(sequence.Slice(i, n), out var g))
                {
                    occurrences[g]++;
                    placed.Add((g, MainOwner(owner, i, n)));
                }
            }
        }

        var remainder = 0.0;
        for (var g = 0; g < grams.Count; g++)
        {
            remainder += occurrences[g] == 0 ? grams[g].Contribution : 0;
        }

        var perWordIndex = scratch.PerWordIndex(words.Count);
        foreach (var (g, word) in placed)
        {
            var share = grams[g].Contribution / occurrences[g];
            if (word < 0)
            {
                remainder += share;
            }
            else
            {
                perWordIndex[word] += share;
            }
        }

        for (var w = 0; w < words.Count; w++)
        {
            if (perWordIndex[w] != 0)
            {
                var evidence = Evidence(text.AsSpan(words[w].Start, words[w].Length));
                CollectionsMarshal.GetValueRefOrAddDefault(perWord, evidence, out _) += perWordIndex[w];
            }
        }

        return (perWord, remainder);
    }

    // The featuriser normalises each character (FeaturizerCharacterMap) and wraps the text in markers; the same is
    // done here, with runs of white space as one space, remembering which word each character came from (-1 for
    // markers and spaces). Written into the thread's scratch; returns the sequence's length.
    private static int Reconstruct(string text, Scratch scratch)
    {
        var sequence = scratch.SequenceBuffer(text.Length + 2);
        var owner = scratch.Owner;
        var words = scratch.Words;
        words.Clear();
        var n = 0;
        sequence[n] = Start;
        owner[n++] = -1;
        var wordStart = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || char.IsWhiteSpace(text[i]))
            {
                if (wordStart >= 0)
                {
                    words.Add((wordStart, i - wordStart));
                    wordStart = -1;
                }

                continue;
            }

            if (wordStart < 0)
            {
                wordStart = i;
                if (words.Count > 0)
                {
                    sequence[n] = ' ';
                    owner[n++] = -1;
                }
            }

            if (FeaturizerCharacterMap.Apply(text[i]) is { } seen)
            {
                sequence[n] = char.IsSurrogate(seen) ? Surrogate : seen;
                owner[n++] = words.Count;
            }
        }

        sequence[n] = End;
        owner[n++] = -1;
        return n;
    }

    /// <summary>The word most of the n-gram's characters come from ("e fr" belongs to "free" in "the free").</summary>
    private static int MainOwner(ReadOnlySpan<int> owner, int start, int length)
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

    private static string Evidence(ReadOnlySpan<char> word)
    {
        var shown = word.Trim(WordPunctuation).ToString().Replace(TextNormalizer.LinkPlaceholder, "<link>", StringComparison.Ordinal).ToLowerInvariant();
        if (shown.Length == 0)
        {
            shown = word.ToString().ToLowerInvariant();
        }

        shown = EvidenceMask.Apply(shown);
        return shown.Length <= MaxEvidenceLength ? shown : shown[..MaxEvidenceLength] + "…";
    }

    /// <summary>What one attribution needs, kept by the thread between checks so a check allocates none of it.</summary>
    private sealed class Scratch
    {
        private double[] _perWordIndex = new double[64];
        private int[] _occurrences = new int[64];

        public Dictionary<string, double> PerWord { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> IndexOfGram { get; } = new(StringComparer.Ordinal);

        public List<(int Start, int Length)> Words { get; } = [];

        public List<(int Gram, int Word)> Placed { get; } = [];

        public char[] Sequence { get; private set; } = new char[256];

        public int[] Owner { get; private set; } = new int[256];

        public char[] SequenceBuffer(int length)
        {
            if (Sequence.Length < length || Sequence.Length > (1 << 16) && length < 256)
            {
                // Grown for a long comment; shrunk again after one, so a thread does not keep 64 KiB buffers for ever.
                Sequence = new char[Math.Max(length, 256)];
                Owner = new int[Sequence.Length];
            }

            return Sequence;
        }

        public int[] Occurrences(int count) => Cleared(ref _occurrences, count);

        public double[] PerWordIndex(int count) => Cleared(ref _perWordIndex, count);

        private static T[] Cleared<T>(ref T[] buffer, int count)
        {
            if (buffer.Length < count)
            {
                buffer = new T[Math.Max(count, buffer.Length * 2)];
            }
            else
            {
                Array.Clear(buffer, 0, count);
            }

            return buffer;
        }
    }
}
