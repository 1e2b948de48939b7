using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace SpamGuard.Core.Keys;

/// <summary>What a call may do, given the key it presented for a site.</summary>
public enum SiteAccess
{
    /// <summary>No site key exists yet: the deployment has not adopted keys, and calls need none.</summary>
    Open,

    Allowed,

    /// <summary>No key, an unknown key or a revoked one.</summary>
    Unauthenticated,

    /// <summary>A valid key, but for other sites.</summary>
    OtherSite,
}

/// <summary>
/// Decides whether a call may act for a site. Once any site key exists (or from the start, with
/// <see cref="SiteKeyOptions.Required"/>), every call needs a valid key for its site.
/// Both facts are cached for a few seconds per node, so a check does not pay extra store round trips: a new or
/// revoked key takes effect on other nodes within <see cref="CacheFor"/> (at once on the node that changed it). While
/// the store is unavailable the last answers stand; a key this node has never verified is then refused (UNAVAILABLE).
/// </summary>
public sealed class SiteKeyGate(ISiteKeyStore store, TimeProvider time, IOptions<SiteKeyOptions>? options = null)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private const int MaxCachedKeys = 10_000;

    private readonly ConcurrentDictionary<string, (SiteKey? Key, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);
    // A reference, so a reader never sees half of an update.
    private InUseSnapshot? _inUse;

    /// <summary>What the call may do for <paramref name="site"/>, and with which key (for rate limits and usage).</summary>
    public async Task<SiteDecision> DecideAsync(string? presentedKey, Uri site, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(site);
        if (!await KeysInUseAsync(cancellationToken))
        {
            return new SiteDecision(SiteAccess.Open, null);
        }

        var key = await FindAsync(presentedKey, cancellationToken);
        return key is null ? new SiteDecision(SiteAccess.Unauthenticated, null)
            : key.Sites.Contains(site.ToString(), StringComparer.Ordinal) ? new SiteDecision(SiteAccess.Allowed, key)
            : new SiteDecision(SiteAccess.OtherSite, key);
    }

    /// <summary>The valid (not revoked) key <paramref name="presentedKey"/> is, or null; cached like the decisions.</summary>
    public async Task<SiteKey?> FindAsync(string? presentedKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presentedKey))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var hash = SiteKeyService.Hash(presentedKey);
        var known = _verified.TryGetValue(hash, out var cached);
        if (!known || cached.Until <= now)
        {
            try
            {
                var found = await store.FindByHashAsync(hash, cancellationToken);
                cached = (SiteKeyService.IsRecordOf(found, hash) && !found.IsRevoked ? found : null, now + CacheFor);
                if (_verified.Count >= MaxCachedKeys)
                {
                    // Random keys from a scanner must not grow the cache without bound.
                    _verified.Clear();
                }

                _verified[hash] = cached;
            }
            catch (Reputation.StoreUnavailableException) when (known)
            {
                // The store is away: the last answer for this key stands until it is back.
            }
        }

        return cached.Key;
    }

    private async Task<bool> KeysInUseAsync(CancellationToken cancellationToken)
    {
        if (options?.Value.Required == true)
        {
            return true;
        }

        var now = time.GetUtcNow();
        var inUse = Volatile.Read(ref _inUse);
        if (inUse is null || inUse.Until <= now)
        {
            try
            {
                inUse = new InUseSnapshot((await store.ListAsync(cancellationToken)).Count > 0, now + CacheFor);
                Volatile.Write(ref _inUse, inUse);
            }
            catch (Reputation.StoreUnavailableException)
            {
                // Checks must not fail because the store is away: go on with what was last known, and a node that
                // never reached the store yet knows of no keys.
                inUse ??= new InUseSnapshot(false, now);
            }
        }

        return inUse.InUse;
    }

    /// <summary>Forgets what was cached (after this node created or revoked a key).</summary>
    public void Invalidate()
    {
        _verified.Clear();
        Volatile.Write(ref _inUse, null);
    }

    private sealed record InUseSnapshot(bool InUse, DateTimeOffset Until);
}

/// <summary>Site keys. Section <c>SiteKeys</c>.</summary>
public sealed class SiteKeyOptions
{
    public const string SectionName = "SiteKeys";

    /// <summary>Refuse calls without a valid key even before any key exists. Off by default, so the embedded default
    /// works with no setup; a public deployment turns it on before it is reachable. <value>Default false.</value></summary>
    public bool Required { get; set; }
}

/// <summary>The gate's answer: the access, and the key presented when it is a valid one (Allowed or OtherSite).</summary>
public sealed record SiteDecision(SiteAccess Access, SiteKey? Key);
