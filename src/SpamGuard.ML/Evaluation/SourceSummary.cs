namespace SpamGuard.ML.Evaluation;

/// <summary>
/// Leave-one-source-out figures in one line: every held-out source counts once, however many rows it has, so a new
/// site is judged by the average site and by the worst one, not by the biggest corpus.
/// </summary>
public sealed record SourceSummary(int Sources, double MeanF1, double WorstF1, string WorstSource, double MeanHamBlocked, double MostHamBlocked, string MostHamBlockedSource)
{
    public static SourceSummary? Of(IReadOnlyDictionary<string, BinaryMetrics> perSource)
    {
        ArgumentNullException.ThrowIfNull(perSource);
        if (perSource.Count == 0)
        {
            return null;
        }

        var worst = perSource.MinBy(p => p.Value.F1);
        var mostBlocked = perSource.MaxBy(p => p.Value.FalsePositiveRate);
        return new SourceSummary(
            perSource.Count,
            perSource.Values.Average(m => m.F1),
            worst.Value.F1,
            worst.Key,
            perSource.Values.Average(m => m.FalsePositiveRate),
            mostBlocked.Value.FalsePositiveRate,
            mostBlocked.Key);
    }
}
