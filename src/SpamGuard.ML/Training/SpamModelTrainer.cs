using System.Globalization;
using Microsoft.ML;
using SpamGuard.Core.Features;
using SpamGuard.Core.Scoring;
using SpamGuard.ML.Data;
using SpamGuard.ML.Evaluation;
using SpamGuard.ML.Models;
using SpamGuard.ML.Scoring;

namespace SpamGuard.ML.Training;

/// <summary>
/// Trains a model end to end: grouped stratified hold-out, k-fold out-of-fold margins for Platt calibration and
/// thresholds, a final fit on all training rows, and metrics on the hold-out only.
/// </summary>
public static class SpamModelTrainer
{
    public static TrainedModel Train(
        IReadOnlyList<TrainingExample> examples,
        IReadOnlyList<CorpusFile> files,
        TrainerSettings settings,
        string command,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(settings);
        Validate(examples, settings);

        progress?.Report(new TrainingProgress("Extracting features", 0));
        var rows = examples.Select(e => new FeaturizedExample(e, CommentFeatureExtractor.Extract(e.Content, e.Author))).ToList();
        var (trainAll, validation) = DataSplit.Split(rows, settings.ValidationFraction, settings.Seed);
        var train = settings.DeduplicateTraining ? DataSplit.Deduplicate(trainAll) : trainAll;
        if (train.Count(r => r.Example.IsSpam) < 2 || train.Count(r => !r.Example.IsSpam) < 2)
        {
            throw new TrainingDataException("After holding out validation rows, training needs at least two spam and two ham texts.");
        }

        var ml = new MLContext(seed: settings.Seed);
        var (group, groupNames) = HeldOutGroups.Assign(train, settings);
        var folds = groupNames.Count;
        var outOfFold = new List<(FeaturizedExample Row, double Margin)>(train.Count);
        for (var fold = 0; fold < folds; fold++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new TrainingProgress($"Calibration fold {fold + 1}/{folds}", 5 + (70.0 * fold / folds)));
            var fit = train.Where((r, i) => group[i] != fold).ToList();
            var held = train.Where((r, i) => group[i] == fold).ToList();
            if (held.Count == 0 || !fit.Any(r => r.Example.IsSpam) || fit.All(r => r.Example.IsSpam))
            {
                continue;
            }

            var foldModel = SpamPipeline.Create(ml, settings, [.. fit.Select(r => r.Features)]).Fit(ToFitView(ml, fit, settings));
            var margins = ml.Data.CreateEnumerable<MarginRow>(foldModel.Transform(ToDataView(ml, held)), reuseRowObject: false)
                .Select(m => (double)m.Score).ToList();
            outOfFold.AddRange(held.Zip(margins));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!outOfFold.Any(o => o.Row.Example.IsSpam) || outOfFold.All(o => o.Row.Example.IsSpam))
        {
            throw new TrainingDataException(
                $"Too few distinct texts to calibrate: every one of the {folds} folds needs spam and ham on both sides; add more labelled rows.");
        }

        progress?.Report(new TrainingProgress("Calibrating", 75));
        var calibration = PlattCalibration.Fit(outOfFold.Select(o => o.Margin).ToList(), outOfFold.Select(o => o.Row.Example.IsSpam).ToList());
        var oofProbabilities = outOfFold
            .Select(o => (Corpus: HeldOutGroups.RuleKey(o.Row.Example, settings), o.Row.Example.IsSpam, Probability: Probability.FromLogit(calibration.ToLogit(o.Margin))))
            .ToList();
        var spamThreshold = ThresholdSelector.SpamThreshold(oofProbabilities, settings.TargetFalsePositiveRate);
        var discardThreshold = ThresholdSelector.DiscardThreshold(oofProbabilities.Select(o => (o.IsSpam, o.Probability)), spamThreshold);

        progress?.Report(new TrainingProgress("Training final model", 80));
        var trainView = ToDataView(ml, train);
        var transformer = SpamPipeline.Create(ml, settings, [.. train.Select(r => r.Features)])
            .Fit(settings.BalanceClasses ? ToFitView(ml, train, settings) : trainView);
        var version = $"{settings.Name}-{settings.Version}";
        var reference = StatisticMeans(ml, transformer.Transform(trainView));
        var model = new SpamModel(ml, transformer, trainView.Schema, version, calibration, new Thresholds(spamThreshold, discardThreshold), reference);

        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new TrainingProgress("Validating", 95));
        var report = Evaluate(model, validation, spamThreshold);
        var outOfFoldScores = oofProbabilities.Select((o, i) => (outOfFold[i].Row.Example, o.Probability)).ToList();
        var crossValidation = Report(outOfFoldScores, spamThreshold);
        var card = new ModelCard
        {
            Name = settings.Name,
            Version = settings.Version,
            CreatedUtc = DateTimeOffset.UtcNow,
            Command = command,
            Seed = settings.Seed,
            Trainer = Describe(settings),
            Data = files.Select(f => CorpusProvenance.Describe(f)).ToList(),
            Split = new SplitDescription(
                "Stratified by (corpus file, label); texts that are the same after normalisation, lower-casing and dropping punctuation are grouped on one side; order by sha256(seed|text).",
                settings.ValidationFraction, trainAll.Count, train.Count, validation.Count),
            Calibration = new CalibrationDescription(
                settings.HeldOut == HeldOutGroups.Sources
                    ? "Platt scaling on leave-one-source-out margins (" + string.Join(", ", groupNames) + " held out in turn)"
                    : "Platt scaling on out-of-fold margins",
                calibration.Slope, calibration.Offset, outOfFold.Count, folds),
            Thresholds = new ThresholdDescription(spamThreshold, discardThreshold, ThresholdRule(settings)),
            Validation = report,
            CrossValidation = crossValidation,
            FeatureCount = model.FeatureCount,
            StatisticReference = reference,
        };
        progress?.Report(new TrainingProgress("Done", 100));
        return new TrainedModel(ml, model, trainView.Schema, card, validation.Select(v => v.Example).ToList())
        {
            OutOfFold = outOfFoldScores,
        };
    }

    private static string ThresholdRule(TrainerSettings settings)
    {
        var (scores, part) = settings.HeldOut == HeldOutGroups.Sources
            ? ("leave-one-source-out", "held-out source")
            : ("out-of-fold", "corpus");
        return string.Create(CultureInfo.InvariantCulture,
            $"spam: of the thresholds {ThresholdSelector.MinimumSpamThreshold}..{ThresholdSelector.MaximumSpamThreshold} (step {ThresholdSelector.SpamThresholdStep}) that block at most {settings.TargetFalsePositiveRate:P1} of {scores} ham on every {part}, the one with the best worst-{part} {scores} F1; discard: above every {scores} ham score, within [{ThresholdSelector.MinimumDiscardThreshold}, {ThresholdSelector.MaximumDiscardThreshold}]");
    }

    /// <summary>Scores labelled rows through the serving path and reports metrics overall, per corpus and per source.</summary>
    internal static ValidationReport Evaluate(SpamModel model, IReadOnlyList<FeaturizedExample> rows, double threshold) =>
        Report(rows.Select(r => (r.Example, Probability.FromLogit(model.Calibration.ToLogit(model.Margin(r.Features))))).ToList(), threshold);

    private static ValidationReport Report(IReadOnlyList<(TrainingExample Example, double Probability)> scored, double threshold)
    {
        return new ValidationReport(
            Metrics(scored),
            scored.GroupBy(s => s.Example.Corpus).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Metrics(g.ToList())),
            scored.GroupBy(s => s.Example.Source).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Metrics(g.ToList())));

        BinaryMetrics Metrics(IReadOnlyList<(TrainingExample Example, double Probability)> part) =>
            BinaryMetrics.Compute(part.Select(p => p.Probability).ToList(), part.Select(p => p.Example.IsSpam).ToList(), threshold);
    }

    private static float[] StatisticMeans(MLContext ml, IDataView transformed)
    {
        var sums = new double[ModelInput.StatisticCount];
        var rows = 0;
        foreach (var row in ml.Data.CreateEnumerable<StatisticsRow>(transformed, reuseRowObject: true))
        {
            for (var j = 0; j < sums.Length; j++)
            {
                sums[j] += row.StatisticFeatures[j];
            }

            rows++;
        }

        return [.. sums.Select(s => rows == 0 ? 0f : (float)(s / rows))];
    }

    private static IDataView ToDataView(MLContext ml, IEnumerable<FeaturizedExample> rows) =>
        ml.Data.LoadFromEnumerable(rows.Select(r => ModelInput.From(r.Features, r.Example.IsSpam)).ToList());

    /// <summary>The rows a model is fitted on: with <see cref="TrainerSettings.BalanceClasses"/>, weighted from these
    /// rows themselves (inside a calibration fold, from that fold's fit rows only).</summary>
    private static IDataView ToFitView(MLContext ml, IReadOnlyList<FeaturizedExample> rows, TrainerSettings settings)
    {
        if (!settings.BalanceClasses)
        {
            return ToDataView(ml, rows);
        }

        var weights = BalancedWeights(rows.Select(r => (r.Example.Corpus, r.Example.IsSpam)).ToList());
        return ml.Data.LoadFromEnumerable(rows.Select((r, i) => WeightedModelInput.From(r.Features, r.Example.IsSpam, weights[i])).ToList());
    }

    /// <summary>Row weights under which, within each corpus, every label present carries the same total weight and
    /// the corpus keeps its row count as its total: n_corpus / (labels in corpus × n_(corpus, label)).</summary>
    internal static float[] BalancedWeights(IReadOnlyList<(string Corpus, bool IsSpam)> rows)
    {
        var perLabel = rows.CountBy(r => r).ToDictionary(c => c.Key, c => c.Value);
        var perCorpus = rows.CountBy(r => r.Corpus).ToDictionary(c => c.Key, c => c.Value);
        return [.. rows.Select(r =>
        {
            var labels = (perLabel.ContainsKey((r.Corpus, true)) ? 1 : 0) + (perLabel.ContainsKey((r.Corpus, false)) ? 1 : 0);
            return (float)((double)perCorpus[r.Corpus] / (labels * perLabel[r]));
        })];
    }

    /// <summary>The trainer settings a card records (the inverse of <see cref="Describe"/>), so a retrain repeats a
    /// model's recipe. Cards written before a setting existed lack its key; their models were trained as the default
    /// says.</summary>
    internal static TrainerSettings SettingsFrom(ModelCard card)
    {
        var p = card.Trainer.Parameters;
        var defaults = new TrainerSettings();
        T Value<T>(string key, T fallback) where T : IParsable<T> => p.TryGetValue(key, out var v) ? T.Parse(v, CultureInfo.InvariantCulture) : fallback;
        bool Flag(string key, bool fallback) => p.TryGetValue(key, out var v) ? v == "true" : fallback;
        return defaults with
        {
            Name = card.Name,
            Seed = card.Seed,
            ValidationFraction = card.Split.ValidationFraction,
            Algorithm = card.Trainer.Algorithm.Contains("Lbfgs", StringComparison.Ordinal) ? "lbfgs"
                : card.Trainer.Algorithm.Contains("LinearSvm", StringComparison.Ordinal) ? "svm"
                : "sdca",
            L2Regularization = Value("l2_regularization", defaults.L2Regularization),
            L1Regularization = Value("l1_regularization", defaults.L1Regularization),
            MaxIterations = Value("max_iterations", defaults.MaxIterations),
            WordNgramLength = Value("word_ngram_length", defaults.WordNgramLength),
            CharNgramLength = Value("char_ngram_length", defaults.CharNgramLength),
            CharNgramAllLengths = Flag("char_ngram_all_lengths", defaults.CharNgramAllLengths),
            Weighting = Value("weighting", defaults.Weighting),
            CharWeighting = Value("char_weighting", defaults.CharWeighting),
            Cues = Flag("cues", defaults.Cues),
            DeduplicateTraining = Flag("deduplicate_training", defaults.DeduplicateTraining),
            BalanceClasses = Flag("balance_classes", defaults.BalanceClasses),
            CalibrationFolds = Value("calibration_folds", defaults.CalibrationFolds),
            HeldOut = p.TryGetValue("held_out", out var heldOut) ? heldOut : defaults.HeldOut,
            TargetFalsePositiveRate = Value("target_false_positive_rate", defaults.TargetFalsePositiveRate),
        };
    }

    private static TrainerDescription Describe(TrainerSettings s) => new(
        s.Algorithm switch
        {
            "lbfgs" => "ML.NET LbfgsLogisticRegression, single-threaded",
            "svm" => "ML.NET LinearSvm (hinge loss, Pegasos; lambda = l2_regularization, passes = max_iterations)",
            _ => "ML.NET SdcaNonCalibrated (logistic loss), single-threaded",
        },
        new Dictionary<string, string>
        {
            ["l2_regularization"] = s.L2Regularization.ToString("R", CultureInfo.InvariantCulture),
            ["l1_regularization"] = s.L1Regularization.ToString("R", CultureInfo.InvariantCulture),
            ["max_iterations"] = s.MaxIterations.ToString(CultureInfo.InvariantCulture),
            ["word_ngram_length"] = s.WordNgramLength.ToString(CultureInfo.InvariantCulture),
            ["char_ngram_length"] = s.CharNgramLength.ToString(CultureInfo.InvariantCulture),
            ["char_ngram_all_lengths"] = s.CharNgramAllLengths ? "true" : "false",
            ["weighting"] = s.Weighting,
            ["char_weighting"] = s.CharWeighting,
            ["deduplicate_training"] = s.DeduplicateTraining ? "true" : "false",
            ["cues"] = s.Cues ? "true" : "false",
            ["balance_classes"] = s.BalanceClasses ? "true" : "false",
            ["calibration_folds"] = s.CalibrationFolds.ToString(CultureInfo.InvariantCulture),
            ["held_out"] = s.HeldOut,
            ["target_false_positive_rate"] = s.TargetFalsePositiveRate.ToString("R", CultureInfo.InvariantCulture),
        },
        $"content: word 1..{s.WordNgramLength}-grams ({s.Weighting}) and character {(s.CharNgramAllLengths ? "1.." : "")}{s.CharNgramLength}-grams ({s.CharWeighting}; none when 0), each block L2-normalised, "
        + "after removal of invisible characters, HTML tags and entities, with links replaced by a placeholder; link hosts; author tokens "
        + "(e-mail domain, URL host, name shape); "
        + (s.Cues ? "spam cues, 0 or 1 each (" + string.Join(", ", SpamCues.Names.Select(n => SpamCues.Descriptions[n])) + "); " : "")
        + "statistics scaled to [0, 1] by their training minimum and maximum ("
        + string.Join(", ", TextStatistics.Names.Select(n => TextStatistics.Descriptions[n])) + "). Dates are never used."
        + (s.BalanceClasses ? " Rows weighted so that spam and ham carry equal total weight within each corpus file." : ""));

    private static void Validate(IReadOnlyList<TrainingExample> examples, TrainerSettings settings)
    {
        if (examples.Count == 0)
        {
            throw new TrainingDataException("No training examples.");
        }

        if (settings.ValidationFraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), "Validation fraction must be strictly between 0 and 1.");
        }

        if (!TrainerSettings.Weightings.Contains(settings.Weighting) || !TrainerSettings.Weightings.Contains(settings.CharWeighting)
            || !TrainerSettings.Algorithms.Contains(settings.Algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(settings),
                $"Unknown weighting '{settings.Weighting}'/'{settings.CharWeighting}' or trainer '{settings.Algorithm}'; expected one of {string.Join('/', TrainerSettings.Weightings)} and {string.Join('/', TrainerSettings.Algorithms)}.");
        }

        if (settings.SvmOptionsConflict)
        {
            throw new ArgumentOutOfRangeException(nameof(settings),
                "The svm trainer needs an L2 regularisation (its lambda) above 0, has no L1 term and ignores row weights (class balancing).");
        }

        if (!HeldOutGroups.Methods.Contains(settings.HeldOut))
        {
            throw new ArgumentOutOfRangeException(nameof(settings), $"Unknown held-out method '{settings.HeldOut}'; expected {string.Join(" or ", HeldOutGroups.Methods)}.");
        }

        if (settings.CalibrationFolds < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), "At least two calibration folds are needed.");
        }
    }

    private sealed class StatisticsRow
    {
        [Microsoft.ML.Data.VectorType(ModelInput.StatisticCount)]
        public float[] StatisticFeatures { get; set; } = new float[ModelInput.StatisticCount];
    }

    private sealed class MarginRow
    {
        public float Score { get; set; }
    }
}
