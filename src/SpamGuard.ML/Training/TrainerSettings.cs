namespace SpamGuard.ML.Training;

/// <summary>Everything that decides a trained model besides the data; recorded in the model card.</summary>
public sealed record TrainerSettings
{
    public int Seed { get; init; } = 42;

    /// <summary>Share of each (corpus, label) stratum held back for validation metrics.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Folds used to get out-of-fold scores for calibration and thresholds.</summary>
    public int CalibrationFolds { get; init; } = 5;

    /// <summary>Highest share of ham a threshold may block, per corpus, on out-of-fold scores.</summary>
    public double TargetFalsePositiveRate { get; init; } = 0.005;

    /// <summary>Word n-grams up to this length.</summary>
    public int WordNgramLength { get; init; } = 2;

    /// <summary>Character n-grams of this length; 0 turns them off.</summary>
    public int CharNgramLength { get; init; }

    /// <summary>Character n-grams of every length up to <see cref="CharNgramLength"/>, not just that length.</summary>
    public bool CharNgramAllLengths { get; init; }

    /// <summary>"tf" or "tfidf" weighting of content n-grams.</summary>
    public string Weighting { get; init; } = "tf";

    /// <summary>"sdca" (logistic loss, SDCA) or "lbfgs" (logistic regression, L-BFGS).</summary>
    public string Algorithm { get; init; } = "sdca";

    /// <summary>Train on each (text, label) once; repeated spam templates otherwise outweigh the rest.</summary>
    public bool DeduplicateTraining { get; init; } = true;

    public float L2Regularization { get; init; } = 1e-4f;

    public float L1Regularization { get; init; }

    public int MaxIterations { get; init; } = 100;

    public string Name { get; init; } = "spamguard";

    public string Version { get; init; } = "1.0.0";
}
