using SpamGuard.ML.Evaluation;

namespace SpamGuard.ML.Models;

/// <summary>
/// Everything needed to trust and rebuild a model: data (with hashes), seed, trainer, calibration, thresholds and
/// held-out metrics. Stored as <c>&lt;name&gt;-&lt;version&gt;.json</c> beside the model zip; the service needs it
/// to score (calibration and thresholds live here).
/// </summary>
public sealed record ModelCard
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required DateTimeOffset CreatedUtc { get; init; }
    public required string Command { get; init; }
    public required int Seed { get; init; }
    public required TrainerDescription Trainer { get; init; }
    public required IReadOnlyList<DataFileDescription> Data { get; init; }
    public required SplitDescription Split { get; init; }
    public required CalibrationDescription Calibration { get; init; }
    public required ThresholdDescription Thresholds { get; init; }
    public required ValidationReport Validation { get; init; }

    /// <summary>Out-of-fold metrics on the training rows at the chosen threshold: what configurations are compared
    /// on, so the validation rows stay untouched by model selection.</summary>
    public ValidationReport? CrossValidation { get; init; }
    public int FeatureCount { get; init; }

    /// <summary>Training mean of each scaled statistic: explanations measure statistics against it.</summary>
    public IReadOnlyList<float>? StatisticReference { get; init; }

    /// <summary>For a retrained candidate: the model that was active, evaluated on the same held-back rows, and the
    /// quality gate's decision.</summary>
    public GateComparison? Comparison { get; init; }

    /// <summary>The full version string responses carry, e.g. "spamguard-1.0.0".</summary>
    public string ModelVersion => $"{Name}-{Version}";
}

/// <param name="ActiveVersion">The model active when the candidate was trained.</param>
/// <param name="Active">That model's metrics on the candidate's held-back rows (which neither trained on).</param>
/// <param name="Passed">Whether the candidate passed the gate (<paramref name="Rule"/>).</param>
public sealed record GateComparison(string ActiveVersion, ValidationReport Active, bool Passed, string Rule);

public sealed record TrainerDescription(string Algorithm, IReadOnlyDictionary<string, string> Parameters, string Features);

public sealed record DataFileDescription(
    string File,
    string Sha256,
    int Rows,
    int Spam,
    int Ham,
    string? Citation,
    string? Licence);

public sealed record SplitDescription(
    string Method,
    double ValidationFraction,
    int TrainRows,
    int TrainRowsAfterDeduplication,
    int ValidationRows);

public sealed record CalibrationDescription(string Method, double Slope, double Offset, int OutOfFoldRows, int Folds);

public sealed record ThresholdDescription(double Spam, double Discard, string Rule);

/// <summary>Metrics on the held-back validation rows only, overall and per corpus file and per source tag.</summary>
public sealed record ValidationReport(
    BinaryMetrics Overall,
    IReadOnlyDictionary<string, BinaryMetrics> PerCorpus,
    IReadOnlyDictionary<string, BinaryMetrics> PerSource);
