using System.Globalization;
using SpamGuard.ML.Evaluation;

namespace SpamGuard.ML.Retraining;

/// <summary>
/// Whether a candidate may replace the active model: on the same held-back rows, it blocks no more ham and its F1 is
/// no lower, each within the tolerance. Blocked ham comes first: a filter that hides real comments loses its users'
/// trust faster than one that lets a little more spam through.
/// </summary>
public static class QualityGate
{
    public static (bool Passed, string Reason) Decide(BinaryMetrics candidate, BinaryMetrics active, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(active);
        var hamOk = candidate.FalsePositiveRate <= active.FalsePositiveRate + tolerance;
        var f1Ok = candidate.F1 >= active.F1 - tolerance;
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"ham blocked {candidate.FalsePositiveRate:P2} vs {active.FalsePositiveRate:P2}, F1 {candidate.F1:0.0000} vs {active.F1:0.0000} (candidate vs active, tolerance {tolerance:0.####})");
        return (hamOk, f1Ok) switch
        {
            (true, true) => (true, "passed: " + figures),
            (false, _) => (false, "failed, blocks more ham: " + figures),
            _ => (false, "failed, lower F1: " + figures),
        };
    }
}
