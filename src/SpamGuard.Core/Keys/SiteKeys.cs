using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace SpamGuard.Core.Keys;

/// <summary>A site key as stored: never the key itself, only its SHA-256.</summary>
/// <param name="Id">Public identifier for listing and revoking (not a secret).</param>
/// <param name="KeyHash">Lowercase hex SHA-256 of the key.</param>
/// <param name="Sites">The site URLs the key may be used for, as <see cref="Uri.ToString"/> gives them.</param>
public sealed record SiteKey(string Id, string KeyHash, IReadOnlyList<string> Sites, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>Site keys, shared by every node; an in-process and a Redis implementation pass the same tests.</summary>
public interface ISiteKeyStore
{
    Task AddAsync(SiteKey key, CancellationToken cancellationToken);

    Task<SiteKey?> FindByHashAsync(string keyHash, CancellationToken cancellationToken);

    Task<IReadOnlyList<SiteKey>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Marks the key revoked; false when there is no such key.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>Site keys in this process only (the embedded default): lost on restart.</summary>
public sealed class InProcessSiteKeyStore : ISiteKeyStore
{
    private readonly ConcurrentDictionary<string, SiteKey> _byId = new(StringComparer.Ordinal);

    public Task AddAsync(SiteKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        _byId[key.Id] = key;
        return Task.CompletedTask;
    }

    public Task<SiteKey?> FindByHashAsync(string keyHash, CancellationToken cancellationToken) =>
        Task.FromResult(_byId.Values.FirstOrDefault(k => k.KeyHash == keyHash));

    public Task<IReadOnlyList<SiteKey>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SiteKey>>([.. _byId.Values.OrderBy(k => k.CreatedAt)]);

    public Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        while (_byId.TryGetValue(id, out var key))
        {
            if (key.IsRevoked || _byId.TryUpdate(id, key with { RevokedAt = at }, key))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }
}

/// <summary>What a presented key is for a site.</summary>
public enum SiteKeyCheck
{
    Valid,
    Unknown,
    Revoked,
    OtherSite,
}

/// <summary>
/// Creates and verifies site keys. A key is 32 random bytes (base64url, prefixed "sg_"), shown once when created and
/// stored only as its SHA-256, so a copy of the store holds no usable key. Verification looks the hash up and then
/// compares it in constant time.
/// </summary>
public sealed class SiteKeyService(ISiteKeyStore store, TimeProvider time)
{
    public const string Prefix = "sg_";

    /// <summary>Creates a key for <paramref name="sites"/>; the returned key is not stored and cannot be shown again.</summary>
    public async Task<(string Key, SiteKey Record)> CreateAsync(IReadOnlyList<Uri> sites, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sites);
        if (sites.Count == 0)
        {
            throw new ArgumentException("A site key needs at least one site.", nameof(sites));
        }

        var key = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var record = new SiteKey(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), Hash(key),
            [.. sites.Select(s => s.ToString()).Distinct(StringComparer.Ordinal)], time.GetUtcNow());
        await store.AddAsync(record, cancellationToken);
        return (key, record);
    }

    public async Task<SiteKeyCheck> VerifyAsync(string? key, Uri site, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(site);
        if (string.IsNullOrEmpty(key))
        {
            return SiteKeyCheck.Unknown;
        }

        var hash = Hash(key);
        var record = await store.FindByHashAsync(hash, cancellationToken);
        if (record is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(record.KeyHash), Encoding.ASCII.GetBytes(hash)))
        {
            return SiteKeyCheck.Unknown;
        }

        return record.IsRevoked ? SiteKeyCheck.Revoked
            : record.Sites.Contains(site.ToString(), StringComparer.Ordinal) ? SiteKeyCheck.Valid
            : SiteKeyCheck.OtherSite;
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
