using SpamGuard.Core.Comments;

namespace SpamGuard.Core.Features;

/// <summary>
/// Builds <see cref="CommentFeatures"/> from a comment. Deliberately never looks at dates: in one training corpus
/// a missing date leaks the label.
/// </summary>
public static class CommentFeatureExtractor
{
    public static CommentFeatures Extract(Comment comment) =>
        Extract(comment.Content, comment.Author, comment.AuthorEmailDomain, comment.AuthorUrl);

    /// <summary>Extracts features from the parts of a comment that training corpora carry.</summary>
    public static CommentFeatures Extract(string? content, string? author, string? emailDomain = null, Uri? authorUrl = null)
    {
        var normalized = TextNormalizer.Normalize(content);
        return new CommentFeatures
        {
            Text = normalized.Text,
            LinkHosts = normalized.LinkHosts.Count switch
            {
                0 => "",
                1 => normalized.LinkHosts[0],
                _ => string.Join(' ', normalized.LinkHosts),
            },
            LinkHostList = normalized.LinkHosts,
            AuthorTokens = AuthorTokens(author, emailDomain, authorUrl),
            CueTokens = SpamCues.Compute(normalized.Text),
            Statistics = TextStatistics.Compute(normalized.Text, normalized.LinkHosts.Count),
        };
    }

    /// <summary>
    /// The author's name is reduced to its shape (empty, digits, a link in it, all capitals); the name itself is
    /// never a feature, so the model cannot learn or reveal who someone is.
    /// </summary>
    internal static string AuthorTokens(string? author, string? emailDomain, Uri? authorUrl)
    {
        var tokens = new List<string>(6);
        var name = TextNormalizer.RemoveInvisibleAndBroken(author ?? "").Trim();
        // An absent name adds no token: one corpus has no names at all, so "no name" would only learn its base rate.
        if (name.Length > 0)
        {
            if (name.AsSpan().IndexOfAnyInRange('0', '9') >= 0)
            {
                tokens.Add("name_has_digits");
            }

            if (name.Contains('.', StringComparison.Ordinal) && TextNormalizer.Normalize(name).LinkHosts.Count > 0)
            {
                tokens.Add("name_has_link");
            }

            if (HasLetter(name) && !HasLower(name))
            {
                tokens.Add("name_all_caps");
            }

            if (WordCount(name) >= 4)
            {
                tokens.Add("name_long");
            }
        }

        // Callers validate addresses; a domain with white space in it would still add tokens of its own.
        if (!string.IsNullOrEmpty(emailDomain) && !emailDomain.Any(char.IsWhiteSpace))
        {
            tokens.Add("email_domain=" + emailDomain);
        }

        if (authorUrl is not null)
        {
            var host = TextNormalizer.HostOf(authorUrl.OriginalString);
            tokens.Add(host is null ? "url_present" : "url_host=" + host);
        }

        return tokens.Count switch
        {
            0 => "",
            1 => tokens[0],
            _ => string.Join(' ', tokens),
        };
    }

    private static bool HasLetter(string s)
    {
        foreach (var c in s)
        {
            if (char.IsLetter(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasLower(string s)
    {
        foreach (var c in s)
        {
            if (char.IsLower(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Runs of characters between single spaces (as <c>Split(' ', RemoveEmptyEntries)</c> counts them).</summary>
    private static int WordCount(string s)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in s)
        {
            if (c == ' ')
            {
                inWord = false;
            }
            else if (!inWord)
            {
                inWord = true;
                count++;
            }
        }

        return count;
    }
}
