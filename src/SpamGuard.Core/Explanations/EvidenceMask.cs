using System.Net;
using System.Text.RegularExpressions;

namespace SpamGuard.Core.Explanations;

/// <summary>
/// Evidence quotes the commenter's own words back; a word that is an e-mail address, an IP address or a long number
/// (a phone number, an account) is personal data, and the explanation is shown to moderators and may be logged.
/// Such words are replaced by what they are.
/// </summary>
public static partial class EvidenceMask
{
    public const string Email = "[email]";
    public const string IpAddress = "[ip]";
    public const string Number = "[number]";

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailShape();

    // Seven digits or more, optionally split by spaces, dots or dashes the way phone numbers are written.
    [GeneratedRegex(@"\d(?:[\s.-]?\d){6,}", RegexOptions.CultureInvariant)]
    private static partial Regex LongNumber();

    public static string Apply(string evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        if (!evidence.Any(c => char.IsAsciiDigit(c) || c == '@' || c == ':'))
        {
            return evidence;
        }

        var words = evidence.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = MaskWord(words[i]);
        }

        return LongNumber().Replace(string.Join(' ', words), Number);
    }

    [GeneratedRegex(@"\S+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    /// <summary>
    /// Masks e-mail and IP addresses in a whole text, keeping its layout and everything else (numbers included:
    /// a phone number in spam is the spammer's and a strong training signal). Used before comment text is stored.
    /// </summary>
    public static string Addresses(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Any(c => c is '@' or '.' or ':') ? Word().Replace(text, m => MaskWord(m.Value)) : text;
    }

    private static string MaskWord(string word)
    {
        var bare = word.Trim('.', ',', ';', '!', '?', '(', ')', '<', '>', '[', ']', '"', '\'');
        if (bare.Contains('@', StringComparison.Ordinal) && EmailShape().IsMatch(bare))
        {
            return Email;
        }

        // IPAddress.TryParse also takes "1.2.3" (a version number), so the shape is checked first.
        var looksLikeIp = bare.Count(c => c == '.') == 3 || bare.Count(c => c == ':') >= 2;
        return looksLikeIp && bare.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':') && IPAddress.TryParse(bare, out _)
            ? IpAddress
            : word;
    }
}
