using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace SpamGuard.Core.Reputation;

/// <summary>
/// A token bucket per site key for reports (<see cref="ReportRateLimitOptions"/>), from System.Threading.RateLimiting.
/// Partitioned by the verified key id, so random keys never get a bucket. Without keys (the open mode, where any caller
/// may claim any site) there is no key to hold to a budget, and reports are not limited. Limits are per node.
/// </summary>
public sealed class ReportRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public ReportRateLimiter(IOptions<ReputationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value.ReportRateLimit;
        if (settings.ReportsPerMinute == 0)
        {
            return;
        }

        // Whole tokens per period: one a second for 60 a minute, one every 6 s for 10 a minute.
        var (tokens, period) = settings.ReportsPerMinute >= 60
            ? (settings.ReportsPerMinute / 60, TimeSpan.FromSeconds(1))
            : (1, TimeSpan.FromMinutes(1) / settings.ReportsPerMinute);
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetTokenBucketLimiter(partition, _ => bucket));
    }

    /// <summary>Takes one report permit of <paramref name="keyId"/> (none is needed without keys); false, with when to
    /// retry if known, when none is left.</summary>
    public bool TryAcquire(string? keyId, out TimeSpan? retryAfter)
    {
        retryAfter = null;
        if (_limiter is null || keyId is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(keyId);
        if (lease.IsAcquired)
        {
            return true;
        }

        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var after))
        {
            retryAfter = after;
        }

        return false;
    }

    public void Dispose() => _limiter?.Dispose();
}
