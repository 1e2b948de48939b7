namespace SpamGuard.ML.Evaluation;

/// <summary>Quality of spam decisions on labelled data. Spam is the positive class.</summary>
public sealed record BinaryMetrics
{
    public int Count { get; init; }
    public int Spam { get; init; }
    public int Ham { get; init; }
    public double Accuracy { get; init; }
    public double Precision { get; init; }
    public double Recall { get; init; }
    public double F1 { get; init; }
    public double Mcc { get; init; }
    public double Auc { get; init; }

    /// <summary>Share of ham blocked (marked spam or discard).</summary>
    public double FalsePositiveRate { get; init; }

    /// <summary>Number of spam comments caught.</summary>
    public int SpamCaught { get; init; }

    /// <summary>Number of ham comments blocked.</summary>
    public int HamBlocked { get; init; }

    /// <summary>Computes the metrics for probabilities against labels at a spam threshold.</summary>
    public static BinaryMetrics Compute(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels, double threshold)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count)
        {
            throw new ArgumentException("Need one probability per label.");
        }

        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var flagged = probabilities[i] >= threshold;
            (tp, fp, tn, fn) = (labels[i], flagged) switch
            {
                (true, true) => (tp + 1, fp, tn, fn),
                (false, true) => (tp, fp + 1, tn, fn),
                (false, false) => (tp, fp, tn + 1, fn),
                _ => (tp, fp, tn, fn + 1),
            };
        }

        var precision = Ratio(tp, tp + fp);
        var recall = Ratio(tp, tp + fn);
        var mccDenominator = Math.Sqrt((double)(tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
        return new BinaryMetrics
        {
            Count = labels.Count,
            Spam = tp + fn,
            Ham = tn + fp,
            Accuracy = Ratio(tp + tn, labels.Count),
            Precision = precision,
            Recall = recall,
            F1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
            Mcc = mccDenominator == 0 ? 0 : (((double)tp * tn) - ((double)fp * fn)) / mccDenominator,
            Auc = AreaUnderRoc(probabilities, labels),
            FalsePositiveRate = Ratio(fp, fp + tn),
            SpamCaught = tp,
            HamBlocked = fp,
        };
    }

    /// <summary>AUC as the Mann-Whitney statistic, ties counted half; NaN when a class is missing.</summary>
    public static double AreaUnderRoc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSumPositive = 0;
        long positives = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            var averageRank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                if (labels[order[k]])
                {
                    rankSumPositive += averageRank;
                    positives++;
                }
            }

            i = j + 1;
        }

        var negatives = scores.Count - positives;
        return positives == 0 || negatives == 0
            ? double.NaN
            : (rankSumPositive - (positives * (positives + 1) / 2.0)) / (positives * (double)negatives);
    }

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
