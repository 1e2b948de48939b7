using System.Diagnostics.Metrics;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Server.Telemetry;

/// <summary>
/// <c>spamguard_model_info{version="…"} 1</c>: the active model, read at each scrape, so an activation or a rollback
/// shows at the next one and the old version's series ends (an info metric in the Prometheus convention, joinable
/// with <c>* on() group_left(version)</c>). Absent while no model is loaded.
/// </summary>
internal sealed class ModelInfoGauge
{
    public ModelInfoGauge(IMeterFactory meters, ISpamClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(meters);
        meters.Create(SpamGuardMetrics.MeterName).CreateObservableGauge("spamguard.model.info", () => Observe(classifier),
            unit: null, description: "The active model: 1, labelled with its version.");
    }

    private static IEnumerable<Measurement<int>> Observe(ISpamClassifier classifier) =>
        classifier.Current is { } model ? [new Measurement<int>(1, new KeyValuePair<string, object?>("version", model.Version))] : [];
}
