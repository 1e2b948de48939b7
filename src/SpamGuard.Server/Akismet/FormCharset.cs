using System.Text;
using Microsoft.Net.Http.Headers;

namespace SpamGuard.Server.Akismet;

/// <summary>
/// The charsets a form may declare. Akismet's clients send UTF-8; US-ASCII and ISO-8859-1 are read too. Anything else
/// (UTF-7 under any of its names, which the runtime refuses to decode, or a name it does not know) is refused up
/// front, before the framework's form reader would throw on it.
/// </summary>
internal static class FormCharset
{
    private const int Utf8 = 65001;
    private const int UsAscii = 20127;
    private const int Latin1 = 28591;

    /// <summary>The declared charset when it is one this server does not read; null when none is declared or it is read.</summary>
    public static string? Unsupported(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return null;
        }

        var charset = HeaderUtilities.RemoveQuotes(parsed.Charset).ToString();
        return charset.Length == 0 || IsRead(charset) ? null : charset;
    }

    public static string Describe(string charset) =>
        $"The form declares charset \"{charset}\", which this server does not read: send it as UTF-8 (Content-Type: application/x-www-form-urlencoded; charset=utf-8).";

    private static bool IsRead(string charset)
    {
        // A common misspelling of UTF-8 that the runtime does not know by that name.
        if (charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            return Encoding.GetEncoding(charset).CodePage is Utf8 or UsAscii or Latin1;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return false;
        }
    }
}
