using System.Diagnostics.Metrics;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Server.Telemetry;

/// <summary>
/// <c>spamguard_model_info{version="…"} 1</c>: the active model, read at each scrape, so an activation or a rollback
/// shows at the next one (an info metric in the Prometheus convention, joinable with
/// <c>* on() group_left(version)</c>). A version that was active earlier in this process reads 0: the OpenTelemetry
/// exporter keeps exporting a series once seen, and a stale 1 would claim two active models. Query
/// <c>spamguard_model_info == 1</c>. Absent while no model is loaded.
/// </summary>
internal sealed class ModelInfoGauge
{
    private readonly ISpamClassifier _classifier;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public ModelInfoGauge(IMeterFactory meters, ISpamClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _classifier = classifier;
        meters.Create(SpamGuardMetrics.MeterName).CreateObservableGauge("spamguard.model.info", Observe,
            unit: null, description: "The active model: 1, labelled with its version (versions active before read 0).");
    }

    private List<Measurement<int>> Observe()
    {
        var active = _classifier.Current?.Version;
        lock (_seen)
        {
            if (active is not null)
            {
                _seen.Add(active);
            }

            return [.. _seen.Select(version => new Measurement<int>(version == active ? 1 : 0, new KeyValuePair<string, object?>("version", version)))];
        }
    }
}
