using System.Text.RegularExpressions;

namespace SpamGuard.Core.Features;

/// <summary>
/// Hand-written patterns that are known spam cues but that word and character n-grams only learn one instance at a
/// time: "txt WIN to 80082" and "send GO to 87121" share no n-gram that says "a keyword to a short code", and every
/// premium number is a vocabulary word of its own. Each cue is one binary feature, so its weight stays readable
/// ("a text-to-short-code request"). Cues are computed on the normalised text, so training and serving agree.
/// </summary>
public static partial class SpamCues
{
    /// <summary>Names of the cues, as the tokens <see cref="Compute"/> returns.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "cue_short_code",
        "cue_premium_number",
        "cue_price",
        "cue_prize",
        "cue_opt_out",
        "cue_self_promotion",
    ];

    /// <summary>Plain-language description of each cue, for explanations.</summary>
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        ["cue_short_code"] = "a request to text or call a short code",
        ["cue_premium_number"] = "a premium-rate or free-phone number",
        ["cue_price"] = "a price or amount of money",
        ["cue_prize"] = "prize or winning words",
        ["cue_opt_out"] = "opt-out instructions",
        ["cue_self_promotion"] = "promotion of the writer's own channel or videos",
    };

    // Every quantifier is bounded and every pattern anchors on a word, so a 64 KiB comment scans in linear time.
    // "txt WIN to 80082", "send STOP to 87239", "reply YES 85023": a verb, at most four words, a five-digit number.
    [GeneratedRegex(@"\b(?:txt|text|send|reply|sms|call)\b(?:\W{1,5}\w{1,20}){0,4}?\W{1,5}\d{5}\b", Options)]
    private static partial Regex ShortCode();

    // UK 08xx/09xx numbers (premium rate, free-phone): 11 digits, optionally grouped.
    [GeneratedRegex(@"\b0[89]\d{2}[\s-]?\d{3}[\s-]?\d{3,4}\b", Options)]
    private static partial Regex PremiumNumber();

    // "£1.50", "$500", "150p", "10ppm", "2000 pounds".
    [GeneratedRegex(@"[£$€]\s?\d|\b\d{1,6}(?:[.,]\d{1,2})?\s?(?:p|ppm|pence|pounds?|gbp|usd|dollars?|euros?)\b", Options)]
    private static partial Regex Price();

    [GeneratedRegex(@"\b(?:won|winner|winning|prize|claim|award(?:ed)?|guaranteed|cash|bonus|voucher)\b", Options)]
    private static partial Regex Prize();

    [GeneratedRegex(@"\b(?:send|txt|text|reply)\W{1,5}stop\b|\bstop\W{1,5}(?:to|2)\W{1,5}\d{4,6}\b|\bopt\W{0,2}out\b|\bunsubscribe\b", Options)]
    private static partial Regex OptOut();

    // "check out my channel", "visit my page", "sub to me", "my new video".
    [GeneratedRegex(@"\b(?:check\W{1,3}(?:out\W{1,3})?my|visit\W{1,3}my|go\W{1,3}to\W{1,3}my|sub(?:scribe)?\W{1,3}(?:2|to)\W{1,3}(?:me|my)|my\W{1,3}(?:new\W{1,3})?(?:channel|videos?|vids?|page|songs?|cover|music))\b", Options)]
    private static partial Regex SelfPromotion();

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    private static readonly Func<Regex>[] Patterns = [ShortCode, PremiumNumber, Price, Prize, OptOut, SelfPromotion];

    /// <summary>Space-separated names of the cues <paramref name="text"/> (normalised content) shows, in <see cref="Names"/> order.</summary>
    public static string Compute(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        // Most comments show no cue or one: those return a constant string, allocating nothing.
        string? first = null;
        List<string>? more = null;
        for (var i = 0; i < Patterns.Length; i++)
        {
            if (Patterns[i]().IsMatch(text))
            {
                if (first is null)
                {
                    first = Names[i];
                }
                else
                {
                    (more ??= [first]).Add(Names[i]);
                }
            }
        }

        return more is not null ? string.Join(' ', more) : first ?? "";
    }
}
