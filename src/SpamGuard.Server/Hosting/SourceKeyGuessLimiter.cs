using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Keys;

namespace SpamGuard.Server.Hosting;

/// <summary>Failed key verifications per source address. Section <c>SiteKeys:GuessLimit</c>.</summary>
internal sealed class KeyGuessLimitOptions
{
    public const string SectionName = "SiteKeys:GuessLimit";

    /// <summary>Failed verifications per minute a source earns back; 0 switches the limit off (not with 12-character
    /// keys on an open network). <value>Default 10.</value></summary>
    public int FailuresPerMinute { get; set; } = 10;

    /// <summary>Failed verifications a source may make at once (a blog with a mistyped key retries a few times).
    /// <value>Default 20.</value></summary>
    public int Burst { get; set; } = 20;
}

internal sealed class KeyGuessLimitOptionsValidator : IValidateOptions<KeyGuessLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyGuessLimitOptions options) =>
        options.FailuresPerMinute < 0 || options.Burst < 1
            ? ValidateOptionsResult.Fail("SiteKeys:GuessLimit:FailuresPerMinute must be 0 (off) or more, and SiteKeys:GuessLimit:Burst at least 1.")
            : ValidateOptionsResult.Success;
}

/// <summary>
/// A token bucket per source address (an IPv4 address, or the /64 an IPv6 address is in, since one host usually has
/// a whole /64), from System.Threading.RateLimiting: each unknown or revoked key a source presents takes a token, and
/// an empty bucket refuses key lookups from that source (gRPC RESOURCE_EXHAUSTED, Akismet's spam-side answer or
/// <c>invalid</c>) until it refills. The source is the connection's peer; behind a reverse proxy set
/// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> so it is the client's address instead. Addresses are only held
/// in memory as partition names and are logged at Debug only. Limits are per node.
/// </summary>
internal sealed partial class SourceKeyGuessLimiter : IKeyGuessLimiter, IDisposable
{
    private readonly IHttpContextAccessor _http;
    private readonly ILogger<SourceKeyGuessLimiter> _logger;
    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly TimeSpan _refill;
    private readonly TimeProvider _time;
    private long _lastWarningTicks;

    public SourceKeyGuessLimiter(IHttpContextAccessor http, IOptions<KeyGuessLimitOptions> options, TimeProvider time, ILogger<SourceKeyGuessLimiter> logger)
    {
        _http = http;
        _logger = logger;
        _time = time;
        _refill = TimeSpan.FromMinutes(1) / Math.Max(1, options.Value.FailuresPerMinute);
        if (TokenBuckets.PerMinute(options.Value.FailuresPerMinute, options.Value.Burst) is { } bucket)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(source => RateLimitPartition.GetTokenBucketLimiter(source, _ => bucket));
        }
    }

    public bool MayVerify(out TimeSpan? retryAfter)
    {
        retryAfter = null;
        if (_limiter is null || Source() is not { } source)
        {
            return true;
        }

        // Reads the bucket without taking a token (an attempt for zero permits does not reliably refuse an empty one).
        if (_limiter.GetStatistics(source) is not { CurrentAvailablePermits: 0 })
        {
            return true;
        }

        retryAfter = _refill;
        // A guesser makes many refused calls: one warning a minute per node says it is happening, Debug says who.
        var now = _time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastWarningTicks);
        if (now - last >= TimeSpan.TicksPerMinute && Interlocked.CompareExchange(ref _lastWarningTicks, now, last) == last)
        {
            LogRefused(_logger);
        }

        LogRefusedSource(_logger, source);
        return false;
    }

    public void Failed()
    {
        if (_limiter is not null && Source() is { } source)
        {
            using var lease = _limiter.AttemptAcquire(source);
        }
    }

    public void Dispose() => _limiter?.Dispose();

    private string? Source()
    {
        var address = _http.HttpContext?.Connection.RemoteIpAddress;
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    [LoggerMessage(4007, LogLevel.Warning, "Refusing key lookups: a caller used up its budget of failed key verifications (SiteKeys:GuessLimit).")]
    private static partial void LogRefused(ILogger logger);

    [LoggerMessage(4008, LogLevel.Debug, "Key lookups refused for source {Source}.")]
    private static partial void LogRefusedSource(ILogger logger, string source);
}
