using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SpamGuard.Core.Explanations;

/// <summary>
/// Finds e-mail and IP addresses anywhere in a text, not only as whole words: inside markup (<c>&lt;b&gt;1.2.3.4&lt;/b&gt;</c>),
/// URLs (<c>http://[2001:db8::1]:443/</c>), key=value pairs, with a port or prefix, percent-encoded (<c>a%40x.org</c>),
/// as HTML entities (<c>a&amp;#64;x.org</c>), in lists without spaces, or next to CJK text. Only the address itself is
/// replaced; the surrounding text, ports and prefixes are kept.
/// Hand-written rather than a regular expression so that the cost is linear in the text and no input can make it
/// backtrack: every character is read a bounded number of times, whatever the text (64 KiB of '@' or of hex and
/// colons included).
/// </summary>
internal static class AddressScanner
{
    // The longest textual IPv6 address: eight groups, or six and an IPv4 tail ("ffff:…:255.255.255.255").
    private const int MaxIpv6Length = 45;

    public static string Mask(string text, string email, string ip)
    {
        ArgumentNullException.ThrowIfNull(text);
        return MaskIps(MaskEmails(text, email), ip);
    }

    private static string MaskEmails(string text, string replacement)
    {
        StringBuilder? masked = null;
        var copied = 0;     // text[..copied] is already in masked (or needs no change)
        var localFloor = 0; // a local part never starts before this: the end of the previous separator or match
        for (var i = 0; i < text.Length; i++)
        {
            var separator = SeparatorLength(text, i);
            if (separator == 0)
            {
                continue;
            }

            var localStart = LocalPartStart(text, i, Math.Max(localFloor, copied));
            var domainEnd = DomainEnd(text, i + separator);
            localFloor = i + separator;
            if (localStart < i && domainEnd > i + separator)
            {
                masked ??= new StringBuilder(text.Length);
                masked.Append(text, copied, localStart - copied).Append(replacement);
                copied = domainEnd;
                i = domainEnd - 1;
            }
            else
            {
                i += separator - 1;
            }
        }

        return masked is null ? text : masked.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>How many characters spell the "@" at <paramref name="i"/>: "@", "＠", "%40", "&amp;#64;", "&amp;#x40;"; 0 if none.</summary>
    private static int SeparatorLength(string text, int i) => text[i] switch
    {
        '@' or '\uFF20' => 1,
        '%' when string.CompareOrdinal(text, i, "%40", 0, 3) == 0 => 3,
        '&' when string.CompareOrdinal(text, i, "&#64;", 0, 5) == 0 => 5,
        '&' when string.Compare(text, i, "&#x40;", 0, 6, StringComparison.OrdinalIgnoreCase) == 0 => 6,
        _ => 0,
    };

    /// <summary>
    /// Where the local part ending before <paramref name="at"/> starts (<paramref name="at"/> when there is none).
    /// ASCII local parts stop at non-ASCII text ("联系a@x.org" is "a"); one that touches the @ with non-ASCII letters is
    /// an internationalised address and takes letters of any script.
    /// </summary>
    private static int LocalPartStart(string text, int at, int floor)
    {
        if (at == 0 || at <= floor)
        {
            return at;
        }

        var international = !char.IsAscii(text[at - 1]) && char.IsLetterOrDigit(text[at - 1]);
        var start = at;
        while (start > floor && IsLocalChar(text[start - 1], international))
        {
            start--;
        }

        // A quote or dot before the address is punctuation around it, not part of it.
        while (start < at && text[start] is '.' or '\'')
        {
            start++;
        }

        return start;
    }

    private static bool IsLocalChar(char c, bool international) =>
        char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-' or '\''
        || (international && !char.IsAscii(c) && char.IsLetterOrDigit(c));

    /// <summary>
    /// Where the domain starting at <paramref name="start"/> ends: labels of letters, digits and hyphens joined by
    /// single dots, at least two labels; <paramref name="start"/> when there is no such domain.
    /// </summary>
    private static int DomainEnd(string text, int start)
    {
        if (start >= text.Length)
        {
            return start;
        }

        var international = !char.IsAscii(text[start]) && char.IsLetterOrDigit(text[start]);
        var end = start;
        var lastLabelEnd = start;
        var labels = 0;
        while (true)
        {
            var labelStart = end;
            while (end < text.Length && IsDomainChar(text[end], international))
            {
                end++;
            }

            if (end == labelStart)
            {
                break;
            }

            labels++;
            lastLabelEnd = end;
            if (end + 1 < text.Length && text[end] is '.' or '\u3002' && IsDomainChar(text[end + 1], international))
            {
                end++;
                continue;
            }

            break;
        }

        return labels >= 2 ? lastLabelEnd : start;
    }

    private static bool IsDomainChar(char c, bool international) =>
        char.IsAsciiLetterOrDigit(c) || c == '-' || (international && !char.IsAscii(c) && char.IsLetterOrDigit(c));

    private static string MaskIps(string text, string replacement)
    {
        StringBuilder? masked = null;
        var copied = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (!IsRunChar(text[i]))
            {
                i++;
                continue;
            }

            // A run of hex digits, colons and dots holds any address; it is read once, then passed.
            var runStart = i;
            while (i < text.Length && IsRunChar(text[i]))
            {
                i++;
            }

            foreach (var (start, end) in AddressesIn(text, runStart, i))
            {
                masked ??= new StringBuilder(text.Length);
                masked.Append(text, copied, start - copied).Append(replacement);
                copied = end;
            }
        }

        return masked is null ? text : masked.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool IsRunChar(char c) => char.IsAsciiHexDigit(c) || c is ':' or '.';

    private static IEnumerable<(int Start, int End)> AddressesIn(string text, int start, int end)
    {
        if (Ipv6In(text, start, end) is { } v6)
        {
            yield return v6;
            yield break;
        }

        for (var j = start; j < end; j++)
        {
            if (char.IsAsciiDigit(text[j]) && (j == start || !char.IsAsciiDigit(text[j - 1])) && Ipv4At(text, j, end) is { } v4End)
            {
                yield return (j, v4End);
                j = v4End - 1;
            }
        }
    }

    /// <summary>
    /// The IPv6 address a run is, if it is one: at least two colons, not glued to a word ("std::vector" is not
    /// "d::"), one separating colon in front ("ip:2001:db8::1") and trailing dots or a colon (end of a sentence) ignored.
    /// </summary>
    private static (int Start, int End)? Ipv6In(string text, int start, int end)
    {
        if (end - start > MaxIpv6Length + 2 || text.AsSpan(start, end - start).Count(':') < 2)
        {
            return null;
        }

        if (text[start] == ':' && start + 1 < end && text[start + 1] != ':')
        {
            start++;
        }
        else if (start > 0 && char.IsAsciiLetter(text[start - 1]))
        {
            return null;
        }

        if (end < text.Length && char.IsAsciiLetter(text[end]))
        {
            return null;
        }

        while (end > start && text[end - 1] == '.')
        {
            end--;
        }

        if (end - start > 2 && text[end - 1] == ':' && text[end - 2] != ':')
        {
            end--;
        }

        var candidate = text.AsSpan(start, end - start);
        return candidate.Length <= MaxIpv6Length && candidate.ContainsAnyExcept(':')
            && IPAddress.TryParse(candidate, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
            ? (start, end)
            : null;
    }

    /// <summary>
    /// The end of a dotted-quad IPv4 address starting at <paramref name="start"/>: four numbers of one to three digits,
    /// each at most 255. Not when it is part of a longer dotted number ("1.2.3.4.5", a version or an OID).
    /// </summary>
    private static int? Ipv4At(string text, int start, int runEnd)
    {
        if (start >= 2 && text[start - 1] == '.' && char.IsAsciiDigit(text[start - 2]))
        {
            return null;
        }

        var i = start;
        for (var part = 0; part < 4; part++)
        {
            if (part > 0)
            {
                if (i >= runEnd || text[i] != '.')
                {
                    return null;
                }

                i++;
            }

            var value = 0;
            var digits = 0;
            while (i < runEnd && char.IsAsciiDigit(text[i]))
            {
                value = (value * 10) + (text[i] - '0');
                digits++;
                i++;
                if (digits > 3)
                {
                    return null;
                }
            }

            if (digits == 0 || value > 255)
            {
                return null;
            }
        }

        return i + 1 < runEnd && text[i] == '.' && char.IsAsciiDigit(text[i + 1]) ? null : i;
    }
}
