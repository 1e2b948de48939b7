using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace SpamGuard.Core.Reputation;

/// <summary>
/// A token bucket per site key for reports (<see cref="ReportRateLimitOptions"/>), from System.Threading.RateLimiting.
/// Partitioned by the verified key id, so random keys never get a bucket; without keys (the open mode) by site, so one
/// site's flood does not use up another's budget. Limits are per node. Buckets of keys idle for a while are removed
/// by the partitioned limiter itself.
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

    /// <summary>Takes one report permit of <paramref name="keyId"/> (or of <paramref name="site"/> when calls need no
    /// key); false, with when to retry if known, when none is left.</summary>
    public bool TryAcquire(string? keyId, string site, out TimeSpan? retryAfter)
    {
        retryAfter = null;
        if (_limiter is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(keyId is null ? "site:" + site : "key:" + keyId);
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
