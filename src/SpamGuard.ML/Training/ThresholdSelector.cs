namespace SpamGuard.ML.Training;

/// <summary>
/// Chooses thresholds from out-of-fold probabilities, never from the validation rows the card reports on.
/// </summary>
internal static class ThresholdSelector
{
    /// <summary>Spam is never called below even odds, whatever the ham scores allow.</summary>
    public const double MinimumSpamThreshold = 0.5;

    public const double MaximumSpamThreshold = 0.99;

    public const double MinimumDiscardThreshold = 0.99;

    public const double MaximumDiscardThreshold = 0.9999;

    /// <summary>Thresholds tried for spam, from <see cref="MinimumSpamThreshold"/> up in steps of this.</summary>
    public const double SpamThresholdStep = 0.0025;

    /// <summary>
    /// The threshold with the best worst-corpus F1 among those that block at most
    /// <paramref name="targetFalsePositiveRate"/> of ham in every corpus: blocked ham stays rare everywhere, not just
    /// on average, and no corpus is sacrificed for another. With no threshold meeting the target, the highest tried.
    /// </summary>
    public static double SpamThreshold(IEnumerable<(string Corpus, bool IsSpam, double Probability)> outOfFold,
        double targetFalsePositiveRate)
    {
        var corpora = outOfFold.GroupBy(r => r.Corpus).Select(g => g.ToList()).ToList();
        var best = MaximumSpamThreshold;
        var bestScore = double.NegativeInfinity;
        var steps = (int)Math.Round((MaximumSpamThreshold - MinimumSpamThreshold) / SpamThresholdStep);
        for (var step = 0; step <= steps; step++)
        {
            var threshold = Math.Round(MinimumSpamThreshold + (step * SpamThresholdStep), 4);
            var worstF1 = double.PositiveInfinity;
            var allowed = true;
            foreach (var corpus in corpora)
            {
                int tp = 0, fp = 0, fn = 0, tn = 0;
                foreach (var (_, isSpam, probability) in corpus)
                {
                    var flagged = probability >= threshold;
                    switch (isSpam, flagged)
                    {
                        case (true, true):
                            tp++;
                            break;
                        case (true, false):
                            fn++;
                            break;
                        case (false, true):
                            fp++;
                            break;
                        default:
                            tn++;
                            break;
                    }
                }

                allowed &= fp + tn == 0 || (double)fp / (fp + tn) <= targetFalsePositiveRate;
                worstF1 = Math.Min(worstF1, tp == 0 ? 0 : 2.0 * tp / ((2.0 * tp) + fp + fn));
            }

            if (allowed && worstF1 > bestScore)
            {
                bestScore = worstF1;
                best = threshold;
            }
        }

        return best;
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
