using SpamGuard.Core.Comments;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Keys;

/// <summary>Why a site call was refused before any work was done.</summary>
public enum SiteRefusal
{
    /// <summary>No key, an unknown key or a revoked one, while keys are in use.</summary>
    Unauthenticated,

    /// <summary>A valid key, but not for this site (or the check belongs to another site).</summary>
    OtherSite,

    /// <summary>The key used up its rate limit.</summary>
    RateLimited,
}

/// <summary>A site call refused: the edges turn it into UNAUTHENTICATED / PERMISSION_DENIED / RESOURCE_EXHAUSTED or
/// Akismet's <c>invalid</c> and HTTP 429.</summary>
public sealed class SiteCallRefusedException(SiteRefusal reason, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public SiteRefusal Reason { get; } = reason;

    /// <summary>For <see cref="SiteRefusal.RateLimited"/>: when a call may succeed again, if known.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>For <see cref="SiteRefusal.RateLimited"/>: the caller's budget of failed key verifications is used up
    /// (<see cref="IKeyGuessLimiter"/>), rather than a key's call budget.</summary>
    public bool KeyLookupsRefused { get; init; }
}

/// <summary>Per-key rate limits. The host supplies one (ASP.NET Core's token buckets); Core only asks.</summary>
public interface ISiteRateLimiter
{
    /// <summary>The budget a keyless call is taken from while keys are not in use: one per site, since there is no
    /// key to charge (the host may give these partitions their own rate).</summary>
    public static string OpenPartition(Uri site) => OpenPartitionPrefix + site;

    /// <summary>What every <see cref="OpenPartition"/> starts with (key ids never contain a space).</summary>
    public const string OpenPartitionPrefix = "open ";

    /// <summary>Takes one permit of <paramref name="keyId"/>'s budget; false and when to retry when none is left.</summary>
    bool TryAcquire(string keyId, out TimeSpan? retryAfter);

    /// <summary>Whether the key was refused a permit recently (Akismet's usage-limit "throttled").</summary>
    bool IsThrottled(string keyId);
}

/// <summary>No limits (tests and hosts that configure none).</summary>
public sealed class UnlimitedSiteRateLimiter : ISiteRateLimiter
{
    public bool TryAcquire(string keyId, out TimeSpan? retryAfter)
    {
        retryAfter = null;
        return true;
    }

    public bool IsThrottled(string keyId) => false;
}

/// <summary>
/// The one path of a site's calls, whatever the protocol (gRPC, Akismet REST): the presented key is checked against
/// the site, its rate limit is taken, the check or report runs in Core, and the key's usage is counted. The edges
/// only map their wire format to these calls and the refusals back.
/// </summary>
public sealed class SiteCallService(
    SiteKeyGate gate,
    ISiteRateLimiter limiter,
    CommentCheckService checks,
    FeedbackService feedback,
    ICheckRecordStore records,
    SiteUsageCounter usage,
    ReportRateLimiter reportLimits,
    SpamGuardMetrics metrics)
{
    /// <summary>What a check told its caller (verdict, explanation, processing), for the caller's site; null when
    /// the id is unknown, expired or a test call's (which is not kept).</summary>
    /// <exception cref="SiteCallRefusedException">The key is not valid for the check's site.</exception>
    public async Task<CheckRecord?> ExplainAsync(string? presentedKey, string checkId, CancellationToken cancellationToken)
    {
        if (!CheckId.IsWellFormed(checkId))
        {
            return null;
        }

        var record = await records.GetAsync(checkId, cancellationToken);
        if (record?.Receipt is null)
        {
            return null;
        }

        await AdmitAsync(presentedKey, new Uri(record.Site), cancellationToken);
        return record;
    }

    /// <exception cref="SiteCallRefusedException">The key is missing, unknown, revoked, another site's or out of budget.</exception>
    public async Task<CheckResult> CheckAsync(string? presentedKey, Comment comment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(comment);
        var key = await AdmitAsync(presentedKey, comment.Site, cancellationToken);
        var result = await checks.CheckAsync(comment, cancellationToken);
        if (key is not null)
        {
            var site = comment.Site.ToString();
            usage.Count(key.Id, site, UsageKind.Call);
            usage.Count(key.Id, site, result.Verdict == Verdict.Ham ? UsageKind.Ham : UsageKind.Spam);
        }

        return result;
    }

    /// <exception cref="SiteCallRefusedException">As for checks, and for a check of another site when keyed.</exception>
    /// <exception cref="CheckNotFoundException">Unknown or expired check id (or another site's, without keys).</exception>
    public async Task<FeedbackResult> ReportAsync(string? presentedKey, FeedbackReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var key = await AdmitAsync(presentedKey, new Uri(report.Site), cancellationToken);
        if (!reportLimits.TryAcquire(key?.Id, out var retryAfter))
        {
            metrics.RateLimited("reports");
            throw new SiteCallRefusedException(SiteRefusal.RateLimited, "This site key has reached its report rate limit (Reputation:ReportRateLimit); the report was not applied. Retry later.", retryAfter);
        }

        FeedbackResult result;
        try
        {
            result = await feedback.ReportAsync(report, cancellationToken);
        }
        catch (CheckOfAnotherSiteException) when (key is not null)
        {
            // With keys the caller has proved which site it is, so "not yours" can be said; without, it stays "not found".
            throw new SiteCallRefusedException(SiteRefusal.OtherSite, "This check belongs to another site.");
        }
        catch (CheckOfAnotherSiteException ex)
        {
            throw new CheckNotFoundException(ex.Message);
        }

        if (key is not null)
        {
            usage.Count(key.Id, report.Site, report.Label == ReportLabel.Spam ? UsageKind.MissedSpam : UsageKind.FalsePositive);
        }

        return result;
    }

    /// <summary>The key the call is made with (null when keys are not in use), after its rate limit is taken.</summary>
    /// <exception cref="SiteCallRefusedException">Refused; nothing was done.</exception>
    /// <exception cref="StoreUnavailableException">The node cannot tell whether keys exist, or cannot verify the key,
    /// while the key store is unavailable: refused (fail closed), to be retried; nothing was done.</exception>
    public async Task<SiteKey?> AdmitAsync(string? presentedKey, Uri site, CancellationToken cancellationToken)
    {
        try
        {
            return await DecideAsync(presentedKey, site, cancellationToken);
        }
        catch (SiteCallRefusedException ex) when (Counted(ex, presentedKey))
        {
            throw new System.Diagnostics.UnreachableException("Counted is always false.");
        }
    }

    /// <summary>Counts a refusal as it passes (an exception filter, so the stack is not unwound); always false.</summary>
    private bool Counted(SiteCallRefusedException refused, string? presentedKey)
    {
        switch (refused.Reason)
        {
            case SiteRefusal.RateLimited:
                metrics.RateLimited("calls");
                break;
            case SiteRefusal.OtherSite:
                metrics.AuthFailed("site", "other_site");
                break;
            default:
                metrics.AuthFailed("site", string.IsNullOrWhiteSpace(presentedKey) ? "missing" : "invalid");
                break;
        }

        return false;
    }

    private async Task<SiteKey?> DecideAsync(string? presentedKey, Uri site, CancellationToken cancellationToken)
    {
        var decision = await gate.DecideAsync(presentedKey, site, cancellationToken);
        switch (decision.Access)
        {
            case SiteAccess.Open:
                // Rate limits hold in every state a call is accepted in, keyless ones too.
                return limiter.TryAcquire(ISiteRateLimiter.OpenPartition(site), out var openRetryAfter)
                    ? null
                    : throw new SiteCallRefusedException(SiteRefusal.RateLimited, "This site has reached its rate limit; retry later.", openRetryAfter);
            case SiteAccess.OtherSite:
                throw new SiteCallRefusedException(SiteRefusal.OtherSite, "This site key is not for this site.");
            case SiteAccess.Allowed when decision.Key is { } key:
                return limiter.TryAcquire(key.Id, out var retryAfter)
                    ? key
                    : throw new SiteCallRefusedException(SiteRefusal.RateLimited, "This site key has reached its rate limit; retry later.", retryAfter);
            default:
                throw new SiteCallRefusedException(SiteRefusal.Unauthenticated, "A valid site key is required.");
        }
    }
}
