namespace SpamGuard.ML.Training;

/// <summary>Everything that decides a trained model besides the data; recorded in the model card.</summary>
public sealed record TrainerSettings
{
    /// <summary>"idf" weighs an n-gram by its idf whether it occurs once or five times in a text (binary presence).</summary>
    public static readonly IReadOnlyList<string> Weightings = ["tf", "tfidf", "idf"];

    public static readonly IReadOnlyList<string> Algorithms = ["sdca", "lbfgs", "svm"];

    public int Seed { get; init; } = 42;

    /// <summary>Share of each (corpus, label) stratum held back for validation metrics.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Folds used to get out-of-fold scores for calibration and thresholds.</summary>
    public int CalibrationFolds { get; init; } = 5;

    /// <summary>How out-of-fold scores for calibration and thresholds are made: "folds" (k random folds, the default
    /// so existing models reproduce) or "sources" (leave one source out; see <see cref="HeldOutGroups"/>).</summary>
    public string HeldOut { get; init; } = HeldOutGroups.Folds;

    /// <summary>Highest share of ham a threshold may block, per corpus (per held-out source with "sources"), on
    /// out-of-fold scores.</summary>
    public double TargetFalsePositiveRate { get; init; } = 0.01;

    /// <summary>Word n-grams up to this length.</summary>
    public int WordNgramLength { get; init; } = 2;

    /// <summary>Character n-grams of this length; 0 turns them off.</summary>
    public int CharNgramLength { get; init; } = 4;

    /// <summary>Character n-grams of every length up to <see cref="CharNgramLength"/>, not just that length.</summary>
    public bool CharNgramAllLengths { get; init; }

    /// <summary>"tf", "tfidf" or "idf" weighting of content word n-grams.</summary>
    public string Weighting { get; init; } = "tfidf";

    /// <summary>The same for character n-grams. "tf" by default: models before this option weighed them so.</summary>
    public string CharWeighting { get; init; } = "tf";

    /// <summary>"sdca" (logistic loss, SDCA), "lbfgs" (logistic regression, L-BFGS) or "svm" (hinge loss, ML.NET's
    /// Pegasos LinearSvm, with <see cref="L2Regularization"/> as its lambda and <see cref="MaxIterations"/> as its
    /// passes over the data). All give a margin that is Platt-calibrated on out-of-fold scores.</summary>
    public string Algorithm { get; init; } = "lbfgs";

    /// <summary>Train on each (text, label) once instead of as often as it occurs. Off by default: on the shared
    /// corpora, keeping repeats scored slightly better on validation (repeated templates are real spam volume).</summary>
    public bool DeduplicateTraining { get; init; }

    /// <summary>Add the hand-written <see cref="Core.Features.SpamCues"/> as binary features. Off by default so a
    /// retrain without the option reproduces models trained before cues existed.</summary>
    public bool Cues { get; init; }

    /// <summary>Weigh rows so that within each corpus file spam and ham carry equal total weight (each corpus keeps
    /// its own total), computed from the rows each fit sees. Off by default so existing models reproduce. Not with
    /// "svm": ML.NET's LinearSvm ignores row weights.</summary>
    public bool BalanceClasses { get; init; }

    /// <summary>Settings the "svm" trainer cannot honour: it needs a lambda (<see cref="L2Regularization"/>) above 0,
    /// has no L1 term, and ML.NET's LinearSvm reads no row weights (its base class passes another option as the weight
    /// column), so <see cref="BalanceClasses"/> would be silently ignored and the card would misstate the model.</summary>
    public bool SvmOptionsConflict => Algorithm == "svm" && (L2Regularization <= 0 || L1Regularization != 0 || BalanceClasses);

    public float L2Regularization { get; init; } = 0.01f;

    public float L1Regularization { get; init; }

    public int MaxIterations { get; init; } = 100;

    public string Name { get; init; } = "spamguard";

    public string Version { get; init; } = "1.0.0";
}
