using System.Threading.RateLimiting;

namespace SpamGuard.Core.Keys;

/// <summary>
/// The token buckets SpamGuard's per-key limits share (calls per key and per open site, reports per key), from
/// System.Threading.RateLimiting: a rate per minute turned into whole tokens per period, and one attempt that says
/// when to retry.
/// </summary>
public static class TokenBuckets
{
    /// <summary>A bucket of <paramref name="burst"/> tokens refilled at <paramref name="perMinute"/>; null for 0
    /// (no limit).</summary>
    public static TokenBucketRateLimiterOptions? PerMinute(int perMinute, int burst)
    {
        if (perMinute == 0)
        {
            return null;
        }

        // Whole tokens per period: 50 per second for 3,000 a minute, one every 6 s for 10 a minute.
        var (tokens, period) = perMinute >= 60
            ? (perMinute / 60, TimeSpan.FromSeconds(1))
            : (1, TimeSpan.FromMinutes(1) / perMinute);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    /// <summary>Takes one permit of <paramref name="partition"/>; false, with when to retry if the limiter knows,
    /// when none is left.</summary>
    public static bool TryAcquire(PartitionedRateLimiter<string> limiter, string partition, out TimeSpan? retryAfter)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        retryAfter = null;
        using var lease = limiter.AttemptAcquire(partition);
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
}
