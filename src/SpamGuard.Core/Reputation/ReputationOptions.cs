namespace SpamGuard.Core.Reputation;

/// <summary>Configuration section "Reputation".</summary>
public sealed class ReputationOptions
{
    public const string SectionName = "Reputation";

    /// <summary>How far each kind of subject's reports may move a score (see <see cref="ReputationEvidence"/>).</summary>
    public ReputationWeights Weights { get; set; } = new();
}
