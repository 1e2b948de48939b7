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

/// <summary>The shape of a new site key.</summary>
public enum SiteKeyForm
{
    /// <summary>12 lowercase hex characters (48 random bits), Akismet's own shape: the WordPress plugin keeps only
    /// [a-f0-9] of what is typed and calls a key of any other length invalid without asking the server.</summary>
    Akismet,

    /// <summary>"sg" and 52 lowercase base32 characters (256 random bits), for clients that take any key.</summary>
    Base32,
}

/// <summary>
/// Creates site keys (<see cref="SiteKeyGate"/> verifies them). A key is random, shown once when created and stored
/// only as its SHA-256, so a copy of the store holds no key in clear. Verification looks the hash up and then compares
/// it in constant time. Two forms are accepted (<see cref="SiteKeyForm"/>), both valid DNS labels that survive the
/// lowercasing of host names (old Akismet clients put the key in the host name, <c>https://{key}.rest.example/</c>).
/// The 12-character form has 48 bits: enough against online guessing only because failed verifications are
/// rate-limited per source (<see cref="IKeyGuessLimiter"/>); docs/site-keys.md has the arithmetic.
/// </summary>
public sealed class SiteKeyService(ISiteKeyStore store, TimeProvider time)
{
    public const string Prefix = "sg";

    /// <summary>Characters after the prefix of a long key: 256 bits in base32.</summary>
    public const int EncodedLength = 52;

    /// <summary>Characters of an Akismet-shaped key: 48 bits in hex.</summary>
    public const int AkismetLength = 12;

    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private static readonly System.Buffers.SearchValues<char> Base32Chars = System.Buffers.SearchValues.Create(Base32Alphabet);

    private static readonly System.Buffers.SearchValues<char> HexChars = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Creates an Akismet-shaped key for <paramref name="sites"/>; the returned key is not stored and cannot
    /// be shown again.</summary>
    public Task<(string Key, SiteKey Record)> CreateAsync(IReadOnlyList<Uri> sites, CancellationToken cancellationToken) =>
        CreateAsync(sites, SiteKeyForm.Akismet, cancellationToken);

    /// <summary>Creates a key of <paramref name="form"/> for <paramref name="sites"/>; the returned key is not stored
    /// and cannot be shown again.</summary>
    public async Task<(string Key, SiteKey Record)> CreateAsync(IReadOnlyList<Uri> sites, SiteKeyForm form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sites);
        if (sites.Count == 0)
        {
            throw new ArgumentException("A site key needs at least one site.", nameof(sites));
        }

        string key;
        do
        {
            key = form == SiteKeyForm.Base32
                ? Prefix + Base32(RandomNumberGenerator.GetBytes(32))
                : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(AkismetLength / 2));
        }
        // 48 bits collide only after millions of keys, but a collision would hand one site's key to another.
        while (form == SiteKeyForm.Akismet && await store.FindByHashAsync(Hash(key), cancellationToken) is not null);

        var record = new SiteKey(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), Hash(key),
            [.. sites.Select(s => s.ToString()).Distinct(StringComparer.Ordinal)], time.GetUtcNow());
        await store.AddAsync(record, cancellationToken);
        return (key, record);
    }

    /// <summary>Whether <paramref name="value"/> has the shape of a key this service creates (say, a host label).</summary>
    public static bool LooksLikeKey(ReadOnlySpan<char> value) =>
        IsAkismetShaped(value)
        || (value.Length == Prefix.Length + EncodedLength
            && value.StartsWith(Prefix, StringComparison.Ordinal)
            && !value[Prefix.Length..].ContainsAnyExcept(Base32Chars));

    /// <summary>The key as it was created: an Akismet-shaped key in any case is lowercased (the WordPress plugin keeps
    /// what the user typed, and hex reads the same either way); anything else is left as it is.</summary>
    public static string Normalize(string presentedKey)
    {
        ArgumentNullException.ThrowIfNull(presentedKey);
        return IsAkismetShaped(presentedKey) ? presentedKey.ToLowerInvariant() : presentedKey;
    }

    private static bool IsAkismetShaped(ReadOnlySpan<char> value) => value.Length == AkismetLength && !value.ContainsAnyExcept(HexChars);

    private static string Base32(byte[] bytes)
    {
        var chars = new char[(bytes.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, next = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars[next++] = Base32Alphabet[(buffer >> bits) & 31];
            }
        }

        if (bits > 0)
        {
            chars[next] = Base32Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(chars);
    }

    /// <summary>Whether the store's answer to a lookup by <paramref name="hash"/> is that key's record: the hashes are
    /// compared in constant time, whatever the store's own lookup does.</summary>
    public static bool IsRecordOf([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] SiteKey? record, string hash) =>
        record is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(record.KeyHash), Encoding.ASCII.GetBytes(hash));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
