using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Server.Hosting;

/// <summary>
/// Healthy once a model is loaded. Kestrel listens before hosted services (the model loader among them) have run,
/// so load balancers must see NOT_SERVING until checks can actually be scored.
/// </summary>
internal sealed class ModelReadyHealthCheck(ISpamClassifier classifier) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var model = classifier.Current;
        return Task.FromResult(model is null
            ? HealthCheckResult.Unhealthy("No spam model is loaded yet.")
            : HealthCheckResult.Healthy("Model " + model.Version + " is loaded."));
    }
}
