using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace SpamGuard.Core.Reputation;

/// <summary>How stores name the site a report came from: a short hash of its URL, so that a subject's list of
/// reporters stays small whatever the URLs' length.</summary>
public static class ReportingSites
{
    /// <summary>
    /// Distinct reporting sites a subject keeps per label (the most recent ones). Enough for any
    /// <see cref="ReputationOptions.MinIndependentReporters"/> allowed, and it bounds what one subject costs however
    /// many sites report it.
    /// </summary>
    public const int MaxPerLabel = 16;

    private const int IdBytes = 12;

    /// <summary>96 bits of SHA-256 of the site as the check record keeps it (its absolute URL), base64url: never
    /// braces, so a Redis key may carry it next to a hash tag.</summary>
    public static string Id(string site)
    {
        ArgumentNullException.ThrowIfNull(site);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(site)), hash);
        return Base64Url.EncodeToString(hash[..IdBytes]);
    }

    /// <summary>A site URL as records keep it (<see cref="Uri.ToString"/>): "https://blog.example" and
    /// "https://blog.example/" are one site.</summary>
    public static string Canonical(string site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return Uri.TryCreate(site.Trim(), UriKind.Absolute, out var uri) ? uri.ToString() : site.Trim();
    }
}
