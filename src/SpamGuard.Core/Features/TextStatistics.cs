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
        "capitalised_words",
        "number_tokens",
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
        ["capitalised_words"] = "words in capitals",
        ["number_tokens"] = "numbers",
    };

    /// <summary>Computes the statistics; counts are log-scaled so a flood of links cannot dominate.</summary>
    public static float[] Compute(string text, int linkCount)
    {
        int letters = 0, upper = 0, digits = 0, visible = 0, exclamations = 0, digitRun = 0, longestDigitRun = 0;
        int capitalisedWords = 0, numberTokens = 0, wordLetters = 0, wordUpper = 0;
        var wordHasDigit = false;
        var currency = false;
        // One pass, with a space after the last character so the last token is counted like the others.
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (char.IsWhiteSpace(c))
            {
                // End of a token: "FREE" and "URGENT" count as words in capitals, "08452810075" and "150p" as numbers.
                capitalisedWords += wordLetters >= 2 && wordUpper == wordLetters ? 1 : 0;
                numberTokens += wordHasDigit ? 1 : 0;
                (wordLetters, wordUpper, wordHasDigit) = (0, 0, false);
                digitRun = 0;
                continue;
            }

            visible++;
            if (char.IsLetter(c))
            {
                letters++;
                wordLetters++;
                if (char.IsUpper(c))
                {
                    upper++;
                    wordUpper++;
                }
            }

            if (char.IsAsciiDigit(c))
            {
                wordHasDigit = true;
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
            (float)Math.Log(1 + capitalisedWords),
            (float)Math.Log(1 + numberTokens),
        ];
    }
}
