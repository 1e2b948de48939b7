using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Transforms.Text;
using SpamGuard.ML.Training;

namespace SpamGuard.ML.Scoring;

/// <summary>
/// What ML.NET's text normalisation does to each UTF-16 character before taking n-grams: drops it (punctuation,
/// combining marks) or maps it (case, precomposed diacritics). ML.NET decides character by character, so running
/// every character through the real transform once gives an exact table; re-implementing its rules would drift
/// (and .NET's own Unicode normalisation is unavailable under invariant globalisation).
/// </summary>
internal sealed class FeaturizerCharacterMap
{
    private static readonly ConcurrentDictionary<NormalizerSettings, Lazy<FeaturizerCharacterMap>> Maps = new();

    private readonly char[] _map;
    private readonly bool[] _dropped;

    private FeaturizerCharacterMap(char[] map, bool[] dropped)
    {
        _map = map;
        _dropped = dropped;
    }

    /// <summary>The map of content text (see <see cref="SpamPipeline"/>), which explanations replay.</summary>
    public static FeaturizerCharacterMap Content { get; } = For(new NormalizerSettings(
        SpamPipeline.ContentCaseMode, SpamPipeline.ContentKeepsDiacritics, SpamPipeline.ContentKeepsPunctuation, SpamPipeline.ContentKeepsNumbers));

    /// <summary>For a featuriser without a normaliser: every character as it is.</summary>
    public static FeaturizerCharacterMap Identity { get; } = new(
        [.. Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c)], new bool[char.MaxValue + 1]);

    /// <summary>The character the content featuriser sees instead of <paramref name="c"/>, or null when it drops it.</summary>
    public static char? Apply(char c) => Content._dropped[c] ? null : Content._map[c];

    /// <summary>The map for one set of normaliser settings, built once per process (about a second each).</summary>
    public static FeaturizerCharacterMap For(NormalizerSettings settings) =>
        Maps.GetOrAdd(settings, static s => new Lazy<FeaturizerCharacterMap>(() => Build(s))).Value;

    /// <summary>Writes what the featuriser sees of <paramref name="text"/> into <paramref name="destination"/>
    /// (at least as long as the text) and returns how many characters that is.</summary>
    public int Normalize(ReadOnlySpan<char> text, Span<char> destination)
    {
        var n = 0;
        foreach (var c in text)
        {
            if (!_dropped[c])
            {
                destination[n++] = _map[c];
            }
        }

        return n;
    }

    private static FeaturizerCharacterMap Build(NormalizerSettings settings)
    {
        var ml = new MLContext(seed: 0);
        var rows = Enumerable.Range(0, char.MaxValue + 1).Select(c => new Row { Text = ((char)c).ToString() }).ToList();
        var normalizer = ml.Transforms.Text.NormalizeText(nameof(Normalized.Out), nameof(Row.Text),
            settings.CaseMode, settings.KeepDiacritics, settings.KeepPunctuation, settings.KeepNumbers);
        var data = ml.Data.LoadFromEnumerable(rows);
        var map = new char[char.MaxValue + 1];
        var dropped = new bool[char.MaxValue + 1];
        var i = 0;
        foreach (var row in ml.Data.CreateEnumerable<Normalized>(normalizer.Fit(data).Transform(data), reuseRowObject: true))
        {
            dropped[i] = row.Out.Length == 0;
            map[i] = row.Out.Length == 0 ? (char)i : row.Out[0];
            i++;
        }

        return new FeaturizerCharacterMap(map, dropped);
    }

    private sealed class Row
    {
        public string Text { get; set; } = "";
    }

    private sealed class Normalized
    {
        public string Out { get; set; } = "";
    }
}

/// <summary>The options of one ML.NET text normaliser.</summary>
internal readonly record struct NormalizerSettings(
    TextNormalizingEstimator.CaseMode CaseMode, bool KeepDiacritics, bool KeepPunctuation, bool KeepNumbers);
