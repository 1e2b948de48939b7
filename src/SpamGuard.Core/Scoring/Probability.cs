namespace SpamGuard.Core.Scoring;

public static class Probability
{
    /// <summary>The logistic function, stable for large |logit|.</summary>
    public static double FromLogit(double logit) =>
        logit >= 0 ? 1.0 / (1.0 + Math.Exp(-logit)) : Math.Exp(logit) / (1.0 + Math.Exp(logit));

    /// <summary>Log-odds of a probability, clamped away from 0 and 1 so the result is finite.</summary>
    public static double ToLogit(double probability)
    {
        var p = Math.Clamp(probability, 1e-12, 1 - 1e-12);
        return Math.Log(p / (1 - p));
    }
}
