using SpamGuard.ML.Evaluation;
using SpamGuard.ML.Scoring;
using SpamGuard.ML.Training;

namespace SpamGuard.ML.Tests;

public sealed class CalibrationAndMetricsTests
{
    [Fact]
    public void PlattFit_RecoversTheSigmoidThatGeneratedTheLabels()
    {
        // Labels drawn from p = sigmoid(2s - 1): the fit must find slope ~2 and offset ~-1.
        var random = new Random(3);
        var margins = new List<double>();
        var labels = new List<bool>();
        for (var i = 0; i < 20000; i++)
        {
            var s = (random.NextDouble() * 6) - 3;
            margins.Add(s);
            labels.Add(random.NextDouble() < 1 / (1 + Math.Exp(-((2 * s) - 1))));
        }

        var fit = PlattCalibration.Fit(margins, labels);

        Assert.InRange(fit.Slope, 1.85, 2.15);
        Assert.InRange(fit.Offset, -1.15, -0.85);
    }

    [Fact]
    public void PlattFit_PerfectlySeparatedData_StaysFinite()
    {
        var fit = PlattCalibration.Fit([-2, -1, 1, 2], [false, false, true, true]);

        Assert.True(double.IsFinite(fit.Slope) && fit.Slope > 0);
        Assert.True(double.IsFinite(fit.Offset));
    }

    [Fact]
    public void BinaryMetrics_KnownConfusionMatrix()
    {
        // tp=3 fn=1 fp=1 tn=5 at threshold 0.5.
        double[] p = [0.9, 0.8, 0.7, 0.2, 0.6, 0.1, 0.1, 0.3, 0.4, 0.2];
        bool[] y = [true, true, true, true, false, false, false, false, false, false];

        var m = BinaryMetrics.Compute(p, y, 0.5);

        Assert.Equal((3, 1), (m.SpamCaught, m.HamBlocked));
        Assert.Equal(0.8, m.Accuracy, 6);
        Assert.Equal(0.75, m.Precision, 6);
        Assert.Equal(0.75, m.Recall, 6);
        Assert.Equal(0.75, m.F1, 6);
        Assert.Equal(1.0 / 6, m.FalsePositiveRate, 6);
        Assert.Equal(((3.0 * 5) - (1 * 1)) / Math.Sqrt(4.0 * 4 * 6 * 6), m.Mcc, 6);
    }

    [Fact]
    public void AreaUnderRoc_PerfectRandomAndTies()
    {
        Assert.Equal(1.0, BinaryMetrics.AreaUnderRoc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]));
        Assert.Equal(0.0, BinaryMetrics.AreaUnderRoc([0.9, 0.8, 0.2, 0.1], [false, false, true, true]));
        Assert.Equal(0.5, BinaryMetrics.AreaUnderRoc([0.5, 0.5, 0.5, 0.5], [false, true, false, true]));
        Assert.True(double.IsNaN(BinaryMetrics.AreaUnderRoc([0.1, 0.2], [true, true])));
    }

    [Fact]
    public void SpamThreshold_NeverExceedsTheHamBlockedTargetInAnyCorpus()
    {
        var random = new Random(5);
        var rows = new List<(string, bool, double)>();
        foreach (var corpus in new[] { "a", "b" })
        {
            for (var i = 0; i < 400; i++)
            {
                var spam = i % 3 == 0;
                var p = spam ? 0.3 + (0.7 * random.NextDouble()) : 0.75 * random.NextDouble();
                rows.Add((corpus, spam, p));
            }
        }

        var threshold = ThresholdSelector.SpamThreshold(rows, 0.01);

        foreach (var corpus in rows.GroupBy(r => r.Item1))
        {
            var ham = corpus.Where(r => !r.Item2).ToList();
            var blocked = ham.Count(r => r.Item3 >= threshold);
            Assert.True(blocked <= 0.01 * ham.Count, $"corpus {corpus.Key}: {blocked} of {ham.Count} ham blocked at {threshold}");
        }

        Assert.InRange(threshold, ThresholdSelector.MinimumSpamThreshold, 0.76);
    }

    [Fact]
    public void DiscardThreshold_IsAboveEveryOutOfFoldHamAndTheSpamThreshold()
    {
        var discard = ThresholdSelector.DiscardThreshold([(false, 0.995), (true, 0.9999), (false, 0.2)], 0.8);

        Assert.True(discard > 0.995);
        Assert.True(discard <= ThresholdSelector.MaximumDiscardThreshold);
    }
}
