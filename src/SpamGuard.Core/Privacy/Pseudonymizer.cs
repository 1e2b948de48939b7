using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace SpamGuard.Core.Privacy;

/// <summary>
/// Turns IP addresses, networks, e-mail addresses and host names into stable pseudonyms: HMAC-SHA256 under a
/// server secret, truncated to 128 bits and base64url-encoded, with a prefix saying what kind of value it stands
/// for. Without the secret a pseudonym cannot be linked back to its value, not even by hashing every IPv4 address;
/// with it, the same value always gives the same pseudonym, which is what reputation needs. Thread-safe.
/// </summary>
public sealed class Pseudonymizer
{
    /// <summary>Shortest secret accepted: as long as the HMAC-SHA256 output.</summary>
    public const int MinimumSecretBytes = 32;

    private const int PseudonymBytes = 16;

    private readonly byte[] _secret;

    public Pseudonymizer(ReadOnlySpan<byte> secret)
    {
        if (secret.Length < MinimumSecretBytes)
        {
            throw new ArgumentException($"The pseudonymisation secret must have at least {MinimumSecretBytes} bytes.", nameof(secret));
        }

        _secret = secret.ToArray();
    }

    /// <summary>"ip:…" for one address; an IPv4 address mapped into IPv6 counts as the IPv4 address.</summary>
    public string Ip(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Pseudonym("ip", Canonical(address).ToString());
    }

    /// <summary>
    /// "net:…" for the address's network: the /24 of an IPv4 address, the /64 of an IPv6 address (one subscriber
    /// line or one data-centre block, which is where abuse comes from when single addresses rotate).
    /// </summary>
    public string Network(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var canonical = Canonical(address);
        var bytes = canonical.GetAddressBytes();
        var prefix = canonical.AddressFamily == AddressFamily.InterNetwork ? 3 : 8;
        Array.Clear(bytes, prefix, bytes.Length - prefix);
        return Pseudonym("net", string.Create(CultureInfo.InvariantCulture, $"{new IPAddress(bytes)}/{prefix * 8}"));
    }

    /// <summary>
    /// "email:…" for an address, compared case-insensitively as a whole: mail systems treat "Bob@" and "bob@" as one
    /// mailbox in practice, and a spammer varying case should not get a fresh reputation.
    /// </summary>
    public string Email(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Pseudonym("email", address.Trim().ToLowerInvariant());
    }

    /// <summary>"host:…" for a host name, lower-cased, without "www." and a trailing dot, internationalised names in
    /// their ASCII form so both spellings are one host.</summary>
    public string Host(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return Pseudonym("host", CanonicalHost(host));
    }

    /// <summary>
    /// A check id for a comment reported without one (sent again in full): the same comment always gets the same
    /// id, so reporting it twice is idempotent, and without the secret the id says nothing about the comment.
    /// </summary>
    public string CheckIdFor(string canonicalComment)
    {
        ArgumentNullException.ThrowIfNull(canonicalComment);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes("check\n" + canonicalComment), mac);
        return Convert.ToHexStringLower(mac[..16]);
    }

    internal static string CanonicalHost(string host)
    {
        var h = host.Trim().TrimEnd('.').ToLowerInvariant();
        // An ASCII name maps to itself or is refused, and either way stays as it is: only others need the mapping.
        if (!System.Text.Ascii.IsValid(h))
        {
            try
            {
                h = new IdnMapping().GetAscii(h);
            }
            catch (ArgumentException)
            {
                // Not a valid IDN: keep the lower-cased Unicode form, still a stable key.
            }
        }

        return h.StartsWith("www.", StringComparison.Ordinal) ? h[4..] : h;
    }

    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private string Pseudonym(string kind, string value)
    {
        // Every check makes about a dozen of these: the message and the text are built in stack buffers, so the
        // pseudonym string is the only allocation (the bytes and text are the same as "kind\nvalue" encoded whole).
        var maxBytes = kind.Length + 1 + Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var message = maxBytes <= 512 ? stackalloc byte[512] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            var length = Encoding.UTF8.GetBytes(kind, message);
            message[length++] = (byte)'\n';
            length += Encoding.UTF8.GetBytes(value, message[length..]);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            // The kind is part of the message, so an e-mail and a host with the same text never share a pseudonym.
            HMACSHA256.HashData(_secret, message[..length], mac);
            Span<char> text = stackalloc char[System.Buffers.Text.Base64Url.GetEncodedLength(PseudonymBytes)];
            var chars = System.Buffers.Text.Base64Url.EncodeToChars(mac[..PseudonymBytes], text);
            return string.Concat(kind, ":", text[..chars]);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
