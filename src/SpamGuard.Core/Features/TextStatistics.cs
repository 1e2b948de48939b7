namespace SpamGuard.Core.Features;

/// <summary>Dense, bounded statistics of a comment's text that word features cannot see.</summary>
public static class TextStatistics
{
    /// <summary>Names of the statistics, in the order they appear in <see cref="CommentFeatures.Statistics"/>.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "link_count",
        "length",
        "uppercase_ratio",
        "digit_ratio",
        "exclamation_count",
        "long_digit_run",
        "currency_symbol",
    ];

    /// <summary>Plain-language description of each statistic, for explanations.</summary>
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        ["link_count"] = "number of links",
        ["length"] = "length of the text",
        ["uppercase_ratio"] = "share of capital letters",
        ["digit_ratio"] = "share of digits",
        ["exclamation_count"] = "exclamation marks",
        ["long_digit_run"] = "a phone or short-code number",
        ["currency_symbol"] = "a currency symbol or price",
    };

    /// <summary>Computes the statistics; counts are log-scaled so a flood of links cannot dominate.</summary>
    public static float[] Compute(string text, int linkCount)
    {
        int letters = 0, upper = 0, digits = 0, visible = 0, exclamations = 0, digitRun = 0, longestDigitRun = 0;
        var currency = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                digitRun = 0;
                continue;
            }

            visible++;
            if (char.IsLetter(c))
            {
                letters++;
                if (char.IsUpper(c))
                {
                    upper++;
                }
            }

            if (char.IsAsciiDigit(c))
            {
                digits++;
                digitRun++;
                longestDigitRun = Math.Max(longestDigitRun, digitRun);
            }
            else
            {
                digitRun = 0;
            }

            if (c == '!')
            {
                exclamations++;
            }

            if (c is '$' or '£' or '€' or '¥')
            {
                currency = true;
            }
        }

        return
        [
            (float)Math.Log(1 + linkCount),
            (float)Math.Log(1 + text.Length),
            letters == 0 ? 0f : (float)upper / letters,
            visible == 0 ? 0f : (float)digits / visible,
            (float)Math.Log(1 + exclamations),
            longestDigitRun >= 5 ? 1f : 0f,
            currency ? 1f : 0f,
        ];
    }
}
