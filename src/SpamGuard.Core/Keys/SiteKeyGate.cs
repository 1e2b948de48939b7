using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Keys;

/// <summary>What a call may do, given the key it presented for a site.</summary>
public enum SiteAccess
{
    /// <summary>No site key exists yet (a read of the store found none, in <see cref="SiteKeyMode.OpenUntilFirstKey"/>):
    /// the deployment has not adopted keys, and calls need none.</summary>
    Open,

    Allowed,

    /// <summary>No key, an unknown key or a revoked one.</summary>
    Unauthenticated,

    /// <summary>A valid key, but for other sites.</summary>
    OtherSite,
}

/// <summary>
/// Decides whether a call may act for a site. Once any site key exists (or from the start, with
/// <see cref="SiteKeyMode.Required"/>), every call needs a valid key for its site.
/// Both facts are cached for a few seconds per node, so a check does not pay extra store round trips: a new or
/// revoked key takes effect on other nodes within <see cref="CacheFor"/> (at once on the node that changed it).
/// The gate fails closed: while the store is unavailable the last answers stand, and a node that cannot tell whether
/// keys exist (it never read the store) or whether a key is valid (it never verified it) refuses the call with
/// <see cref="StoreUnavailableException"/> (gRPC UNAVAILABLE, REST 503) instead of letting it through keyless.
/// </summary>
public sealed class SiteKeyGate(ISiteKeyStore store, TimeProvider time, IOptions<SiteKeyOptions>? options = null, IKeyGuessLimiter? guesses = null)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private const int MaxCachedKeys = 10_000;

    private readonly ConcurrentDictionary<string, (SiteKey? Key, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);
    // A reference, so a reader never sees half of an update.
    private InUseSnapshot? _inUse;

    /// <summary>What the call may do for <paramref name="site"/>, and with which key (for rate limits and usage).</summary>
    /// <exception cref="StoreUnavailableException">The store is unavailable and this node cannot tell whether keys
    /// exist, or cannot verify the presented key: the call is refused, to be retried.</exception>
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

    /// <summary>The valid (not revoked) key <paramref name="presentedKey"/> is, or null; cached like the decisions.
    /// An unknown or revoked key counts against the caller's budget of failed verifications.</summary>
    /// <exception cref="StoreUnavailableException">The store is unavailable and this key was never verified here.</exception>
    /// <exception cref="SiteCallRefusedException">The caller used up its budget of failed verifications
    /// (<see cref="SiteRefusal.RateLimited"/>); the key was not looked up.</exception>
    public async Task<SiteKey?> FindAsync(string? presentedKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presentedKey))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var hash = SiteKeyService.Hash(SiteKeyService.Normalize(presentedKey));
        var known = _verified.TryGetValue(hash, out var cached);
        // A key this node verified as valid (even if its cache entry is stale) is not a guess: its site keeps working
        // while a guesser behind the same address (or the same reverse proxy) has used up the budget.
        var knownValid = known && cached.Key is not null;
        if (!knownValid && guesses is not null && !guesses.MayVerify(out var retryAfter))
        {
            // Refused before the lookup, valid key or not, so a guesser learns nothing from the answer.
            throw new SiteCallRefusedException(SiteRefusal.RateLimited, "Too many failed key verifications from this address; retry later.", retryAfter)
            {
                KeyLookupsRefused = true,
            };
        }

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
            catch (StoreUnavailableException) when (known)
            {
                // The store is away: the last answer for this key stands until it is back.
            }
        }

        if (cached.Key is null)
        {
            guesses?.Failed();
        }

        return cached.Key;
    }

    private async Task<bool> KeysInUseAsync(CancellationToken cancellationToken)
    {
        if (options?.Value.EffectiveMode == SiteKeyMode.Required)
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
            catch (StoreUnavailableException ex)
            {
                // Never read: whether keys exist is unknown, and guessing "none" would open every keyed surface to
                // keyless callers (fail open), so the call is refused and retried once the store answers. Otherwise
                // the last answer read (or learned from this node's own key changes) stands until it is back.
                inUse = inUse ?? throw new StoreUnavailableException("Site keys cannot be verified while the key store is unavailable; retry shortly.", ex);
            }
        }

        return inUse.InUse;
    }

    /// <summary>Whether this node knows if keys exist (always in Required mode); reads the store if it does not yet.
    /// False while the store is unavailable and nothing was ever read.</summary>
    public async Task<bool> TryLearnAsync(CancellationToken cancellationToken)
    {
        if (options?.Value.EffectiveMode == SiteKeyMode.Required || Volatile.Read(ref _inUse) is not null)
        {
            return true;
        }

        try
        {
            var inUse = (await store.ListAsync(cancellationToken)).Count > 0;
            // Stale at once: the first call still reads the store (a key created on another node just after this one
            // started is seen at once); this answer only stands in for the store while it is unavailable.
            Interlocked.CompareExchange(ref _inUse, new InUseSnapshot(inUse, time.GetUtcNow()), null);
            return true;
        }
        catch (StoreUnavailableException)
        {
            return false;
        }
    }

    /// <summary>After this node created or revoked a key: forgets the keys it verified, and knows that keys exist
    /// (a revoked key still counts: the deployment has adopted keys), without reading the store, so a store that
    /// stalls right after the change cannot leave the node not knowing.</summary>
    public void Invalidate()
    {
        _verified.Clear();
        Volatile.Write(ref _inUse, new InUseSnapshot(true, time.GetUtcNow() + CacheFor));
    }

    private sealed record InUseSnapshot(bool InUse, DateTimeOffset Until);
}

/// <summary>When calls need a site key.</summary>
public enum SiteKeyMode
{
    /// <summary>Calls need no key until the first key is created (a read of the store that finds one). A node that
    /// cannot read the store and has not yet learned whether keys exist refuses calls (UNAVAILABLE) meanwhile.</summary>
    OpenUntilFirstKey,

    /// <summary>Every call needs a valid key for its site, from the start. The production setting.</summary>
    Required,
}

/// <summary>Site keys. Section <c>SiteKeys</c>.</summary>
public sealed class SiteKeyOptions
{
    public const string SectionName = "SiteKeys";

    /// <summary>When calls need a key: <see cref="SiteKeyMode.Required"/> (the production setting: set it before the
    /// service is reachable) or <see cref="SiteKeyMode.OpenUntilFirstKey"/>, so the embedded default works with no setup.
    /// <value>Default OpenUntilFirstKey.</value></summary>
    public SiteKeyMode Mode { get; set; } = SiteKeyMode.OpenUntilFirstKey;

    /// <summary>Shorthand for <c>Mode = Required</c> (kept for existing configurations); true wins over
    /// <see cref="Mode"/>. <value>Default false.</value></summary>
    public bool Required { get; set; }

    /// <summary>The mode in force, with <see cref="Required"/> applied.</summary>
    public SiteKeyMode EffectiveMode => Required ? SiteKeyMode.Required : Mode;
}

/// <summary>The gate's answer: the access, and the key presented when it is a valid one (Allowed or OtherSite).</summary>
public sealed record SiteDecision(SiteAccess Access, SiteKey? Key);
