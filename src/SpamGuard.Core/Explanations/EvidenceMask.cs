using System.Text.RegularExpressions;

namespace SpamGuard.Core.Explanations;

/// <summary>
/// Evidence quotes the commenter's own words back; an e-mail address, an IP address or a long number (a phone
/// number, an account) in it is personal data, and the explanation is shown to moderators and may be logged.
/// Such values are replaced by what they are.
/// </summary>
public static partial class EvidenceMask
{
    public const string Email = "[email]";
    public const string IpAddress = "[ip]";
    public const string Number = "[number]";

    // Seven digits or more, optionally split by spaces, dots or dashes the way phone numbers are written.
    // NonBacktracking: evidence is short, but no input should be able to make a mask slow.
    [GeneratedRegex(@"\d(?:[\s.-]?\d){6,}", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex LongNumber();

    public static string Apply(string evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        if (!evidence.Any(c => char.IsAsciiDigit(c) || c is '@' or ':' or '\uFF20'))
        {
            return evidence;
        }

        return LongNumber().Replace(Addresses(evidence), Number);
    }

    /// <summary>
    /// Masks e-mail and IP addresses in a whole text, wherever they stand (in markup, URLs, lists, next to
    /// punctuation or other scripts), keeping its layout and everything else (numbers included: a phone number in
    /// spam is the spammer's and a strong training signal). Used before comment text is stored. Linear in the
    /// text's length (see <see cref="AddressScanner"/>).
    /// </summary>
    public static string Addresses(string text) => AddressScanner.Mask(text, Email, IpAddress);
}
