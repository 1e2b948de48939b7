using SpamGuard.Core.Comments;

namespace SpamGuard.Core.Explanations;

/// <summary>
/// States, per submitted field, what this version of the scoring path does with it. Kept next to the code that
/// reads the fields so it changes with them; nothing is stored by the scoring path yet, so every retention is zero.
/// </summary>
public static class ProcessingDisclosure
{
    private const string NotRead = "Accepted for Akismet compatibility; not read by this version.";

    public static IReadOnlyList<FieldProcessing> For(Comment comment)
    {
        var entries = new List<FieldProcessing>(18)
        {
            Used("site", "Validated as the calling site's address; not used to score."),
        };

        if (comment.UserIp is not null)
        {
            entries.Add(Used("user_ip", "Checked to be a valid IP address; not used to score (no reputation store in use)."));
        }

        AddIfPresent(entries, comment.UserAgent, "user_agent", null);
        AddIfPresent(entries, comment.Referrer, "referrer", null);
        if (comment.Permalink is not null)
        {
            entries.Add(Used("permalink", "Validated as an absolute URL; not used to score."));
        }

        entries.Add(Ignored("comment_type"));
        AddIfPresent(entries, comment.Author, "author",
            "Scored by the model through the name's shape only (digits, a link, all capitals, length); the name itself is not a feature.");
        AddIfPresent(entries, comment.AuthorEmail, "author_email",
            "Scored by the model through the domain after '@' only; the rest of the address is not read.");
        if (comment.AuthorUrl is not null)
        {
            entries.Add(Used("author_url", "Scored by the model through its host name."));
        }

        entries.Add(Used("content",
            "Scored by the model: words and two-word phrases, the hosts of links, and style statistics (capitals, digits, length)."));
        if (comment.CommentDate is not null)
        {
            entries.Add(Ignored("comment_date"));
        }

        if (comment.PostModifiedDate is not null)
        {
            entries.Add(Ignored("post_modified_date"));
        }

        if (comment.SiteLanguages.Count > 0)
        {
            entries.Add(Ignored("site_languages"));
        }

        AddIfPresent(entries, comment.Charset, "charset", null);
        AddIfPresent(entries, comment.UserRole, "user_role", "Rule: comments by an administrator are always ham (as in Akismet).");
        if (comment.IsTest)
        {
            entries.Add(Used("is_test", "Marks a test call: scored as usual, nothing is learned or stored."));
        }

        if (comment.Honeypot is not null)
        {
            entries.Add(Used("honeypot", "Rule: a filled hidden field marks an automated submission. Only whether it was filled is read."));
        }

        if (comment.ClientSignals.TimeToSubmit is not null || comment.ClientSignals.JavaScriptRan is not null)
        {
            entries.Add(Used("client_signals", "Rule: a form submitted faster than a person can type, or without JavaScript, counts toward spam."));
        }

        return entries;
    }

    private static void AddIfPresent(List<FieldProcessing> entries, string value, string field, string? purpose)
    {
        if (!string.IsNullOrEmpty(value))
        {
            entries.Add(purpose is null ? Ignored(field) : Used(field, purpose));
        }
    }

    private static FieldProcessing Used(string field, string purpose) =>
        new(field, purpose, DataHandling.UsedInMemoryDiscarded, TimeSpan.Zero);

    private static FieldProcessing Ignored(string field) =>
        new(field, NotRead, DataHandling.IgnoredDiscarded, TimeSpan.Zero);
}
