using Microsoft.ML;
using SpamGuard.ML.Training;

namespace SpamGuard.ML.Scoring;

/// <summary>
/// What ML.NET's text normalisation does to each UTF-16 character of content before taking character n-grams:
/// drops it (punctuation, combining marks) or maps it (case, precomposed diacritics). ML.NET decides character by
/// character, so running every character through the real transform once gives an exact table; re-implementing
/// its rules would drift (and .NET's own Unicode normalisation is unavailable under invariant globalisation).
/// </summary>
internal static class FeaturizerCharacterMap
{
    // Built once per process, on first use (the type initialiser), in about a second.
    private static readonly (char[] Map, bool[] Dropped) Table = Build();

    /// <summary>The character the featuriser sees instead of <paramref name="c"/>, or null when it drops it.</summary>
    public static char? Apply(char c) => Table.Dropped[c] ? null : Table.Map[c];

    private static (char[] Map, bool[] Dropped) Build()
    {
        var ml = new MLContext(seed: 0);
        var rows = Enumerable.Range(0, char.MaxValue + 1).Select(c => new Row { Text = ((char)c).ToString() }).ToList();
        var normalizer = ml.Transforms.Text.NormalizeText(nameof(Normalized.Out), nameof(Row.Text),
            SpamPipeline.ContentCaseMode, SpamPipeline.ContentKeepsDiacritics, SpamPipeline.ContentKeepsPunctuation, SpamPipeline.ContentKeepsNumbers);
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

        return (map, dropped);
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
