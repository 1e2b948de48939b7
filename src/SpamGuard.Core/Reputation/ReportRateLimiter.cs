using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Keys;

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
        if (TokenBuckets.PerMinute(options.Value.ReportRateLimit.ReportsPerMinute, options.Value.ReportRateLimit.Burst) is { } bucket)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetTokenBucketLimiter(partition, _ => bucket));
        }
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

        return TokenBuckets.TryAcquire(_limiter, keyId, out retryAfter);
    }

    public void Dispose() => _limiter?.Dispose();
}
