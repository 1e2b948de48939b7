namespace SpamGuard.ML.Training;

/// <summary>
/// Chooses thresholds from out-of-fold probabilities, never from the validation rows the card reports on.
/// </summary>
internal static class ThresholdSelector
{
    /// <summary>Spam is never called below even odds, whatever the ham scores allow.</summary>
    public const double MinimumSpamThreshold = 0.5;

    public const double MinimumDiscardThreshold = 0.99;

    public const double MaximumDiscardThreshold = 0.9999;

    /// <summary>
    /// The lowest threshold at which, in every corpus, at most <paramref name="targetFalsePositiveRate"/> of ham is
    /// at or above it: the most spam caught while keeping blocked ham rare everywhere, not just on average.
    /// </summary>
    public static double SpamThreshold(IEnumerable<(string Corpus, bool IsSpam, double Probability)> outOfFold,
        double targetFalsePositiveRate)
    {
        var threshold = MinimumSpamThreshold;
        foreach (var corpus in outOfFold.Where(r => !r.IsSpam).GroupBy(r => r.Corpus))
        {
            var hamDescending = corpus.Select(r => r.Probability).OrderDescending().ToArray();
            var allowed = (int)Math.Floor(targetFalsePositiveRate * hamDescending.Length);
            if (allowed < hamDescending.Length)
            {
                threshold = Math.Max(threshold, RoundUp(hamDescending[allowed]));
            }
        }

        return Math.Min(threshold, 0.99);
    }

    /// <summary>Above every out-of-fold ham score (within bounds), so blatant spam can be dropped unseen.</summary>
    public static double DiscardThreshold(IEnumerable<(bool IsSpam, double Probability)> outOfFold, double spamThreshold)
    {
        var highestHam = outOfFold.Where(r => !r.IsSpam).Select(r => r.Probability).DefaultIfEmpty(0).Max();
        var discard = Math.Clamp(RoundUp(highestHam), MinimumDiscardThreshold, MaximumDiscardThreshold);
        return discard > spamThreshold ? discard : spamThreshold + ((1 - spamThreshold) / 2);
    }

    // Strictly above the value, at 4 decimals, so the value itself falls below the threshold.
    private static double RoundUp(double p) => Math.Min(1.0, (Math.Floor(p * 10000) + 1) / 10000);
}
