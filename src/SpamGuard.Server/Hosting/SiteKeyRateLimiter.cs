using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Keys;

namespace SpamGuard.Server.Hosting;

/// <summary>Per-site-key rate limit. Section <c>SiteKeys:RateLimit</c>.</summary>
internal sealed class SiteKeyRateLimitOptions
{
    public const string SectionName = "SiteKeys:RateLimit";

    /// <summary>Sustained calls per minute per key; 0 switches the limit off. <value>Default 3,000 (50 per second).</value></summary>
    public int RequestsPerMinute { get; set; } = 3000;

    /// <summary>Calls a key may make at once above the sustained rate. <value>Default 200.</value></summary>
    public int Burst { get; set; } = 200;

    /// <summary>While no key exists (open mode), sustained keyless calls per minute per site; 0 switches it off.
    /// Higher than a key's, as one site's budget then covers every caller. <value>Default 60,000 (1,000 per second).</value></summary>
    public int OpenRequestsPerMinute { get; set; } = 60_000;

    /// <summary>Keyless calls a site may make at once above <see cref="OpenRequestsPerMinute"/>. <value>Default 2,000.</value></summary>
    public int OpenBurst { get; set; } = 2_000;
}

internal sealed class SiteKeyRateLimitOptionsValidator : IValidateOptions<SiteKeyRateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, SiteKeyRateLimitOptions options) =>
        options.RequestsPerMinute < 0 || options.Burst < 1 || options.OpenRequestsPerMinute < 0 || options.OpenBurst < 1
            ? ValidateOptionsResult.Fail("SiteKeys:RateLimit:RequestsPerMinute and OpenRequestsPerMinute must be 0 (off) or more, and SiteKeys:RateLimit:Burst and OpenBurst at least 1.")
            : ValidateOptionsResult.Success;
}

/// <summary>
/// Token buckets per site key, from System.Threading.RateLimiting (the limiters behind ASP.NET Core's rate-limiting
/// middleware). The middleware itself is not used: it partitions requests before the endpoint runs, but the key of an
/// Akismet call is in the form body and is only known to be genuine after the gate has verified it. Partitioning by
/// verified key id here means a scanner's random keys never get a bucket of their own. Keyless calls in open mode
/// are charged to their site (<see cref="ISiteRateLimiter.OpenPartition"/>) at the open rate. Limits are per node.
/// </summary>
internal sealed class SiteKeyRateLimiter : ISiteRateLimiter, IDisposable
{
    private static readonly TimeSpan ThrottledFor = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastRefused = new(StringComparer.Ordinal);

    public SiteKeyRateLimiter(IOptions<SiteKeyRateLimitOptions> options, TimeProvider time)
    {
        _time = time;
        var settings = options.Value;
        var keyed = TokenBuckets.PerMinute(settings.RequestsPerMinute, settings.Burst);
        var open = TokenBuckets.PerMinute(settings.OpenRequestsPerMinute, settings.OpenBurst);
        if (keyed is null && open is null)
        {
            return;
        }

        _limiter = PartitionedRateLimiter.Create<string, string>(partition =>
            (partition.StartsWith(ISiteRateLimiter.OpenPartitionPrefix, StringComparison.Ordinal) ? open : keyed) is { } bucket
                ? RateLimitPartition.GetTokenBucketLimiter(partition, _ => bucket)
                : RateLimitPartition.GetNoLimiter(partition));
    }

    public bool TryAcquire(string keyId, out TimeSpan? retryAfter)
    {
        retryAfter = null;
        if (_limiter is null)
        {
            return true;
        }

        if (TokenBuckets.TryAcquire(_limiter, keyId, out retryAfter))
        {
            return true;
        }

        _lastRefused[keyId] = _time.GetUtcNow();
        return false;
    }

    public bool IsThrottled(string keyId) =>
        _lastRefused.TryGetValue(keyId, out var at) && _time.GetUtcNow() - at < ThrottledFor;

    public void Dispose() => _limiter?.Dispose();
}
