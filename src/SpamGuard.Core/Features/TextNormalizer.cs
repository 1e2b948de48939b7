using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace SpamGuard.Core.Features;

/// <summary>
/// Turns raw comment content (HTML, entities, invisible characters, broken UTF-16) into the plain text the model
/// is trained and scored on. Training and serving both go through here, so they cannot drift apart.
/// </summary>
public static partial class TextNormalizer
{
    /// <summary>Stands in for every link in <see cref="NormalizedContent.Text"/>; its hosts become separate features.</summary>
    public const string LinkPlaceholder = "xxlinkxx";

    private static readonly char[] TrailingPunctuation = ['.', ',', ';', ':', '!', '?', ')', '}', '\'', '"', '*'];

    // Nothing inside a tag may be '<' or '>', so every attempt stops at the next bracket: the scan stays linear even
    // for 64 KiB of "<a <a <a" (with '[^>]' it was quadratic, 200 ms per such comment).
    [GeneratedRegex("""<\s*a\b[^<>]{0,1000}?\bhref\s*=\s*["']?(?<url>[^"'\s<>]{1,2000})""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnchorHref();

    [GeneratedRegex("""<[!/?a-zA-Z][^<>]{0,1000}>""", RegexOptions.CultureInvariant)]
    private static partial Regex Tag();

    // Scheme or www-prefixed links, and bare host names with a common TLD ("shop-pills.com/buy"), which is how
    // comment spam usually writes them when links are stripped. Brackets end a link (BBCode, Markdown), and a bare
    // host right after '@' is an e-mail address, not a link; so is one right before '@' ("bob.smith.info@mail.com").
    [GeneratedRegex("""(?:(?:https?|ftp)://|www\.)[^\s<>"'\[\]]{1,2000}|(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|info|biz|ru|cn|xyz|top|online|site|shop|store|club|io|co|uk|de|me|tk|ml|ga|cf|gq|pw|cc|tv|us|eu|in|ly|gl|to)\b(?!@)(?:/[^\s<>"'\[\]]{0,2000})?""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Link();

    public static NormalizedContent Normalize(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return new NormalizedContent("", []);
        }

        var hosts = new List<string>();
        var text = RemoveInvisibleAndBroken(raw);

        // The checks for '<', '&' and '.' skip whole passes for the plain comments that are most of the traffic.
        if (text.Contains('<', StringComparison.Ordinal))
        {
            foreach (Match m in AnchorHref().Matches(text))
            {
                AddHost(hosts, WebUtility.HtmlDecode(m.Groups["url"].Value));
            }

            // Tags go before entities are decoded, so "&lt;b&gt;" stays visible text instead of turning into markup.
            text = Tag().Replace(text, " ");
        }

        if (text.Contains('&', StringComparison.Ordinal))
        {
            text = WebUtility.HtmlDecode(text);
            // Decoding can produce invisible characters again (&#xFEFF;).
            text = RemoveInvisibleAndBroken(text);
        }

        var hrefHostCount = hosts.Count;
        if (text.Contains('.', StringComparison.Ordinal) || text.Contains("://", StringComparison.Ordinal))
        {
            text = Link().Replace(text, m =>
            {
                // Prose punctuation after a link ("see http://x.com, then") belongs to the sentence, not the URL.
                var link = m.Value.TrimEnd(TrailingPunctuation);
                AddHost(hosts, link);
                return " " + LinkPlaceholder + " " + m.Value[link.Length..];
            });
        }

        if (hrefHostCount > 0 && hosts.Count > hrefHostCount)
        {
            // A link written as <a href="u">u</a> is one link, not two.
            DeduplicateAnchorText(hosts, hrefHostCount);
        }

        return new NormalizedContent(CollapseWhitespace(text), hosts);
    }

    /// <summary>Runs of white space become one space; leading and trailing white space goes.</summary>
    internal static string CollapseWhitespace(string text)
    {
        if (IsCollapsed(text))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>Whether <see cref="CollapseWhitespace"/> would return the text unchanged: only single spaces, none at
    /// either end (most plain comments), so it is returned as it is instead of copied.</summary>
    private static bool IsCollapsed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == ' ')
            {
                if (i == 0 || i == text.Length - 1 || text[i + 1] == ' ')
                {
                    return false;
                }
            }
            else if (char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }

    // A scheme at the very start: "shop.com/buy?next=http://evil.com" is a bare host with a URL in its query.
    [GeneratedRegex("^[a-z][a-z0-9+.-]{0,30}://", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LeadingScheme();

    /// <summary>Host of a URL or bare domain, lower-cased and without "www."; null when there is none.</summary>
    public static string? HostOf(string link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var candidate = link.Trim();
        if (!LeadingScheme().IsMatch(candidate))
        {
            candidate = "http://" + candidate;
        }

        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return null;
        }

        var host = AsciiHost(uri).ToLowerInvariant().TrimEnd('.');
        return host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
    }

    /// <summary>
    /// The punycode form of the host, so "bücher.example" and "xn--bcher-kva.example" are one feature. .NET parses
    /// some hosts it then cannot convert (labels mixing scripts or directions, e.g. "א1.com"); those keep their
    /// Unicode form rather than failing the whole comment.
    /// </summary>
    public static string AsciiHost(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        try
        {
            return uri.IdnHost;
        }
        catch (UriFormatException)
        {
            return uri.Host;
        }
    }

    private static void AddHost(List<string> hosts, string link)
    {
        var host = HostOf(link);
        if (host is not null)
        {
            hosts.Add(host);
        }
    }

    private static void DeduplicateAnchorText(List<string> hosts, int hrefHostCount)
    {
        var fromHrefs = hosts.GetRange(0, hrefHostCount);
        var fromText = hosts.GetRange(hrefHostCount, hosts.Count - hrefHostCount);
        foreach (var host in fromHrefs)
        {
            fromText.Remove(host);
        }

        hosts.RemoveRange(hrefHostCount, hosts.Count - hrefHostCount);
        hosts.AddRange(fromText);
    }

    /// <summary>
    /// Drops zero-width and BOM characters (U+FEFF leaks the label in one corpus), replaces unpaired surrogates
    /// with U+FFFD and control characters with spaces.
    /// </summary>
    internal static string RemoveInvisibleAndBroken(string s)
    {
        if (!NeedsCleaning(s))
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                {
                    sb.Append(c).Append(s[i + 1]);
                    i++;
                }
                else
                {
                    sb.Append('\uFFFD');
                }
            }
            else if (char.IsLowSurrogate(c))
            {
                sb.Append('\uFFFD');
            }
            else if (IsInvisible(c))
            {
                // dropped
            }
            else if (char.IsControl(c))
            {
                sb.Append(' ');
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static bool NeedsCleaning(string s)
    {
        foreach (var c in s)
        {
            if (char.IsSurrogate(c) || IsInvisible(c) || (char.IsControl(c) && c is not (' ' or '\n' or '\t')))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsInvisible(char c) =>
        c is '\uFEFF' or '\u00AD' or '\u180E' or (>= '\u200B' and <= '\u200F') or (>= '\u202A' and <= '\u202E')
            or (>= '\u2060' and <= '\u2064')
        || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;
}
