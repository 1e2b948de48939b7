namespace SpamGuard.ML.Scoring;

/// <summary>Maps the raw margin s to calibrated log-odds <c>Slope * s + Offset</c> (Platt scaling).</summary>
public sealed record PlattCalibration(double Slope, double Offset)
{
    public double ToLogit(double margin) => (Slope * margin) + Offset;

    /// <summary>
    /// Fits Platt's sigmoid to (margin, label) pairs by Newton's method with Platt's (1999) smoothed targets, which
    /// keep the fit finite when the classes separate perfectly. The pairs must come from data the margins were not
    /// trained on (out-of-fold), or the calibration is over-confident.
    /// </summary>
    public static PlattCalibration Fit(IReadOnlyList<double> margins, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(margins);
        ArgumentNullException.ThrowIfNull(labels);
        if (margins.Count != labels.Count || margins.Count == 0)
        {
            throw new ArgumentException("Need the same, non-zero number of margins and labels.");
        }

        var positives = labels.Count(l => l);
        var negatives = labels.Count - positives;
        var hiTarget = (positives + 1.0) / (positives + 2.0);
        var loTarget = 1.0 / (negatives + 2.0);

        // Parameterised as p = 1 / (1 + exp(A*s + B)); Slope = -A, Offset = -B.
        double a = 0, b = Math.Log((negatives + 1.0) / (positives + 1.0));
        const double minStep = 1e-10, sigma = 1e-12;
        var fval = Objective(a, b);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double h11 = sigma, h22 = sigma, h21 = 0, g1 = 0, g2 = 0;
            for (var i = 0; i < margins.Count; i++)
            {
                var fApB = (margins[i] * a) + b;
                double p, q;
                if (fApB >= 0)
                {
                    p = Math.Exp(-fApB) / (1.0 + Math.Exp(-fApB));
                    q = 1.0 / (1.0 + Math.Exp(-fApB));
                }
                else
                {
                    p = 1.0 / (1.0 + Math.Exp(fApB));
                    q = Math.Exp(fApB) / (1.0 + Math.Exp(fApB));
                }

                var d2 = p * q;
                h11 += margins[i] * margins[i] * d2;
                h22 += d2;
                h21 += margins[i] * d2;
                var d1 = Target(i) - p;
                g1 += margins[i] * d1;
                g2 += d1;
            }

            if (Math.Abs(g1) < 1e-5 && Math.Abs(g2) < 1e-5)
            {
                break;
            }

            var det = (h11 * h22) - (h21 * h21);
            var dA = -((h22 * g1) - (h21 * g2)) / det;
            var dB = -((-h21 * g1) + (h11 * g2)) / det;
            var gd = (g1 * dA) + (g2 * dB);
            var step = 1.0;
            while (step >= minStep)
            {
                var newA = a + (step * dA);
                var newB = b + (step * dB);
                var newF = Objective(newA, newB);
                if (newF < fval + (0.0001 * step * gd))
                {
                    a = newA;
                    b = newB;
                    fval = newF;
                    break;
                }

                step /= 2.0;
            }

            if (step < minStep)
            {
                break;
            }
        }

        return new PlattCalibration(-a, -b);

        double Target(int i) => labels[i] ? hiTarget : loTarget;

        double Objective(double pa, double pb)
        {
            var f = 0.0;
            for (var i = 0; i < margins.Count; i++)
            {
                var fApB = (margins[i] * pa) + pb;
                f += fApB >= 0
                    ? (Target(i) * fApB) + Math.Log(1 + Math.Exp(-fApB))
                    : ((Target(i) - 1) * fApB) + Math.Log(1 + Math.Exp(fApB));
            }

            return f;
        }
    }
}
