using SpamGuard.ML.Data;

namespace SpamGuard.ML.Training;

/// <summary>
/// Which rows are held out together when out-of-fold scores are made for calibration and thresholds.
/// <list type="bullet">
/// <item><c>folds</c>: k random folds (grouped by normalised text), as before: every fold's held-out rows come from
/// the same sources the model trains on, so the scores are those of a site the model knows.</item>
/// <item><c>sources</c>: leave one source out. In a corpus with several sources (the YouTube videos), each source is
/// held out in turn and scored by a model trained on everything else, as a new site would be; a corpus with one
/// source (SMS) is split into k folds. Thresholds are then chosen per held-out source.</item>
/// </list>
/// </summary>
public static class HeldOutGroups
{
    public const string Folds = "folds";

    public const string Sources = "sources";

    public static readonly IReadOnlyList<string> Methods = [Folds, Sources];

    /// <summary>The group of each row (0..count-1) and each group's name, in a fixed order.</summary>
    internal static (int[] Group, IReadOnlyList<string> Names) Assign(IReadOnlyList<FeaturizedExample> rows, TrainerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(settings);
        var folds = Math.Min(settings.CalibrationFolds, Math.Max(1, rows.Count));
        var keys = settings.HeldOut == Sources ? SourceKeys(rows, settings, folds) : [.. rows.Select(r => "fold " + (DataSplit.Fold(r, folds, settings.Seed) + 1))];
        var names = keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        return ([.. keys.Select(k => index[k])], names);
    }

    /// <summary>What thresholds must hold on: each corpus (folds) or each held-out source (sources).</summary>
    internal static string RuleKey(TrainingExample example, TrainerSettings settings) =>
        settings.HeldOut == Sources ? example.Source : example.Corpus;

    private static string[] SourceKeys(IReadOnlyList<FeaturizedExample> rows, TrainerSettings settings, int folds)
    {
        var sourcesPerCorpus = rows.GroupBy(r => r.Example.Corpus, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Example.Source).Distinct(StringComparer.Ordinal).Count(), StringComparer.Ordinal);
        return [.. rows.Select(r => sourcesPerCorpus[r.Example.Corpus] > 1
            ? r.Example.Source
            : $"{r.Example.Source} fold {DataSplit.Fold(r, folds, settings.Seed) + 1}")];
    }
}
