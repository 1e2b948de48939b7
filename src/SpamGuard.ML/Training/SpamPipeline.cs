using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;
using SpamGuard.Core.Features;
using SpamGuard.ML.Scoring;

namespace SpamGuard.ML.Training;

/// <summary>
/// The ML.NET pipeline. A linear model on sparse features, so every prediction decomposes exactly into
/// per-feature contributions (weight × value) that the explanation shows.
/// </summary>
internal static class SpamPipeline
{
    // How content text is normalised before n-grams are taken; FeaturizerCharacterMap replays it for explanations.
    internal const TextNormalizingEstimator.CaseMode ContentCaseMode = TextNormalizingEstimator.CaseMode.Lower;
    internal const bool ContentKeepsDiacritics = false;
    internal const bool ContentKeepsPunctuation = false;
    internal const bool ContentKeepsNumbers = true;

    /// <param name="rows">The rows it will be fitted on: a token column that is empty in every row has no vocabulary,
    /// which ML.NET refuses to featurise, so such a column (no links or no author data in any row, as in a corpus of
    /// content and label only) is left out of the model instead.</param>
    public static IEstimator<ITransformer> Create(MLContext ml, TrainerSettings settings, IReadOnlyCollection<CommentFeatures> rows)
    {
        var text = new TextFeaturizingEstimator.Options
        {
            CaseMode = ContentCaseMode,
            KeepDiacritics = ContentKeepsDiacritics,
            KeepPunctuations = ContentKeepsPunctuation,
            KeepNumbers = ContentKeepsNumbers,
            WordFeatureExtractor = new WordBagEstimator.Options
            {
                NgramLength = settings.WordNgramLength,
                UseAllLengths = true,
                Weighting = Weighting(settings.Weighting),
            },
            CharFeatureExtractor = settings.CharNgramLength > 0
                ? new WordBagEstimator.Options
                {
                    NgramLength = settings.CharNgramLength,
                    UseAllLengths = settings.CharNgramAllLengths,
                    Weighting = Weighting(settings.CharWeighting),
                }
                : null,
            Norm = TextFeaturizingEstimator.NormFunction.L2,
        };

        // Hosts and author tokens keep their dots and '=' so "shop.example" stays one token.
        var tokens = new TextFeaturizingEstimator.Options
        {
            CaseMode = TextNormalizingEstimator.CaseMode.Lower,
            KeepPunctuations = true,
            KeepNumbers = true,
            WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 1, UseAllLengths = true },
            CharFeatureExtractor = null,
            Norm = TextFeaturizingEstimator.NormFunction.L2,
        };

        var groups = new List<string> { ColumnNames.TextFeatures };
        IEstimator<ITransformer> pipeline = ml.Transforms.Text.FeaturizeText(ColumnNames.TextFeatures, text, nameof(ModelInput.Text));
        if (rows.Any(r => r.LinkHosts.Length > 0))
        {
            groups.Add(ColumnNames.LinkFeatures);
            pipeline = pipeline.Append(ml.Transforms.Text.FeaturizeText(ColumnNames.LinkFeatures, tokens, nameof(ModelInput.LinkHosts)));
        }

        if (rows.Any(r => r.AuthorTokens.Length > 0))
        {
            groups.Add(ColumnNames.AuthorFeatures);
            pipeline = pipeline.Append(ml.Transforms.Text.FeaturizeText(ColumnNames.AuthorFeatures, tokens, nameof(ModelInput.AuthorTokens)));
        }

        if (settings.Cues && rows.Any(r => r.CueTokens.Length > 0))
        {
            // Not normalised: each cue is 0 or 1 whatever else the comment shows, so its weight reads on its own.
            var cues = new TextFeaturizingEstimator.Options
            {
                CaseMode = TextNormalizingEstimator.CaseMode.None,
                KeepPunctuations = true,
                KeepNumbers = true,
                WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 1, UseAllLengths = true, Weighting = NgramExtractingEstimator.WeightingCriteria.Tf },
                CharFeatureExtractor = null,
                Norm = TextFeaturizingEstimator.NormFunction.None,
            };
            groups.Add(ColumnNames.CueFeatures);
            pipeline = pipeline.Append(ml.Transforms.Text.FeaturizeText(ColumnNames.CueFeatures, cues, nameof(ModelInput.Cues)));
        }

        groups.Add(ColumnNames.StatisticFeatures);
        return pipeline
            .Append(ml.Transforms.NormalizeMinMax(ColumnNames.StatisticFeatures, nameof(ModelInput.Statistics)))
            .Append(ml.Transforms.Concatenate(ColumnNames.Features, [.. groups]))
            .Append(Trainer(ml, settings));
    }

    private static NgramExtractingEstimator.WeightingCriteria Weighting(string name) => name switch
    {
        "tfidf" => NgramExtractingEstimator.WeightingCriteria.TfIdf,
        "idf" => NgramExtractingEstimator.WeightingCriteria.Idf,
        _ => NgramExtractingEstimator.WeightingCriteria.Tf,
    };

    /// <summary>The column of row weights the trainer reads, or null: rows are then fitted as
    /// <see cref="WeightedModelInput"/> (see SpamModelTrainer), when <see cref="TrainerSettings.BalanceClasses"/>.</summary>
    private static string? WeightColumn(TrainerSettings settings) => settings.BalanceClasses ? ColumnNames.Weight : null;

    private static IEstimator<ITransformer> Trainer(MLContext ml, TrainerSettings settings) => settings.Algorithm switch
    {
        "svm" => ml.BinaryClassification.Trainers.LinearSvm(new LinearSvmTrainer.Options
        {
            LabelColumnName = nameof(ModelInput.Label),
            FeatureColumnName = ColumnNames.Features,
            Lambda = settings.L2Regularization,
            NumberOfIterations = settings.MaxIterations,
            Shuffle = true,
        }),
        "lbfgs" => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = nameof(ModelInput.Label),
            FeatureColumnName = ColumnNames.Features,
            ExampleWeightColumnName = WeightColumn(settings),
            L2Regularization = settings.L2Regularization,
            L1Regularization = settings.L1Regularization,
            MaximumNumberOfIterations = settings.MaxIterations,
            OptimizationTolerance = 1e-8f,
            NumberOfThreads = 1,
        }),
        _ => ml.BinaryClassification.Trainers.SdcaNonCalibrated(new SdcaNonCalibratedBinaryTrainer.Options
            {
                LabelColumnName = nameof(ModelInput.Label),
                FeatureColumnName = ColumnNames.Features,
                ExampleWeightColumnName = WeightColumn(settings),
                LossFunction = new LogLoss(),
                L2Regularization = settings.L2Regularization,
                L1Regularization = settings.L1Regularization,
                MaximumNumberOfIterations = settings.MaxIterations,
                // One thread: SDCA's result depends on thread interleaving otherwise, and the seed must reproduce it.
                NumberOfThreads = 1,
                Shuffle = true,
            }),
    };
}
