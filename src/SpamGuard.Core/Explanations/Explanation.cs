namespace SpamGuard.Core.Explanations;

/// <summary>Why a comment got its verdict, and what was done with the data submitted.</summary>
/// <param name="Summary">One plain-language sentence for a moderator.</param>
/// <param name="Signals">Strongest first by absolute weight, capped.</param>
/// <param name="Processing">One entry per submitted field.</param>
/// <param name="BaseWeight">Log-odds the model starts from before any evidence.</param>
public sealed record Explanation(
    string Summary,
    IReadOnlyList<Signal> Signals,
    IReadOnlyList<FieldProcessing> Processing,
    double BaseWeight)
{
    /// <summary>Whether the reputation store answered in time; when false the verdict rests on the model and rules.</summary>
    public bool ReputationAvailable { get; init; }
}
