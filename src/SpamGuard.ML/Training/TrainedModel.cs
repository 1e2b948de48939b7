using Microsoft.ML;
using SpamGuard.ML.Data;
using SpamGuard.ML.Models;
using SpamGuard.ML.Scoring;

namespace SpamGuard.ML.Training;

/// <summary>A freshly trained model with its card, ready to save or to serve.</summary>
/// <param name="Validation">The held-back rows the card's metrics were computed on.</param>
public sealed record TrainedModel(MLContext Context, SpamModel Model, DataViewSchema InputSchema, ModelCard Card,
    IReadOnlyList<TrainingExample> Validation)
{
    /// <summary>Every training row with its calibrated out-of-fold spam probability (the scores the card's
    /// cross-validation figures come from), for error analysis that never looks at the validation rows.</summary>
    public IReadOnlyList<(TrainingExample Example, double Probability)> OutOfFold { get; init; } = [];
}

/// <summary>Where training is, for progress bars.</summary>
public sealed record TrainingProgress(string Phase, double Percent);
