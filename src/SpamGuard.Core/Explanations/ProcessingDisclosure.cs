using SpamGuard.Core.Comments;

namespace SpamGuard.Core.Explanations;

/// <summary>
/// States, per submitted field, what this version of the scoring path does with it. Kept next to the code that
/// reads the fields so it changes with them; nothing is stored by the scoring path yet, so every retention is zero.
/// The entries are immutable and shared, so disclosing costs no allocation per field.
/// </summary>
public static class ProcessingDisclosure
{
    private const string NotRead = "Accepted for Akismet compatibility; not read by this version.";

    private static readonly FieldProcessing Site = Used("site", "Validated as the calling site's address; not used to score.");
    private static readonly FieldProcessing UserIp = Used("user_ip", "Checked to be a valid IP address; not used to score (no reputation store in use).");
    private static readonly FieldProcessing UserAgent = Ignored("user_agent");
    private static readonly FieldProcessing Referrer = Ignored("referrer");
    private static readonly FieldProcessing Permalink = Used("permalink", "Validated as an absolute URL; not used to score.");
    private static readonly FieldProcessing CommentType = Ignored("comment_type");
    private static readonly FieldProcessing Author = Used("author",
        "Scored by the model through the name's shape only (digits, a link, all capitals, length); the name itself is not a feature.");
    private static readonly FieldProcessing AuthorEmail = Used("author_email",
        "Scored by the model through the domain after '@' only; the rest of the address is not read.");
    private static readonly FieldProcessing AuthorUrl = Used("author_url", "Scored by the model through its host name.");
    private static readonly FieldProcessing Content = Used("content",
        "Scored by the model: words and two-word phrases, character sequences, the hosts of links, and style statistics (capitals, digits, length).");
    private static readonly FieldProcessing CommentDate = Ignored("comment_date");
    private static readonly FieldProcessing PostModifiedDate = Ignored("post_modified_date");
    private static readonly FieldProcessing SiteLanguages = Ignored("site_languages");
    private static readonly FieldProcessing Charset = Ignored("charset");
    private static readonly FieldProcessing UserRole = Used("user_role", "Rule: comments by an administrator are always ham (as in Akismet).");
    private static readonly FieldProcessing IsTest = Used("is_test", "Marks a test call: scored as usual, nothing is learned or stored.");
    private static readonly FieldProcessing Honeypot = Used("honeypot",
        "Rule: a filled hidden field marks an automated submission. Only whether it was filled is read.");
    private static readonly FieldProcessing ClientSignals = Used("client_signals",
        "Rule: a form submitted faster than a person can type, or without JavaScript, counts toward spam.");

    public static IReadOnlyList<FieldProcessing> For(Comment comment)
    {
        ArgumentNullException.ThrowIfNull(comment);
        var entries = new List<FieldProcessing>(18) { Site };
        AddIf(entries, comment.UserIp is not null, UserIp);
        AddIf(entries, comment.UserAgent.Length > 0, UserAgent);
        AddIf(entries, comment.Referrer.Length > 0, Referrer);
        AddIf(entries, comment.Permalink is not null, Permalink);
        entries.Add(CommentType);
        AddIf(entries, comment.Author.Length > 0, Author);
        AddIf(entries, comment.AuthorEmail.Length > 0, AuthorEmail);
        AddIf(entries, comment.AuthorUrl is not null, AuthorUrl);
        entries.Add(Content);
        AddIf(entries, comment.CommentDate is not null, CommentDate);
        AddIf(entries, comment.PostModifiedDate is not null, PostModifiedDate);
        AddIf(entries, comment.SiteLanguages.Count > 0, SiteLanguages);
        AddIf(entries, comment.Charset.Length > 0, Charset);
        AddIf(entries, comment.UserRole.Length > 0, UserRole);
        AddIf(entries, comment.IsTest, IsTest);
        AddIf(entries, comment.Honeypot is not null, Honeypot);
        AddIf(entries, comment.ClientSignals.TimeToSubmit is not null || comment.ClientSignals.JavaScriptRan is not null, ClientSignals);
        return entries;
    }

    private static void AddIf(List<FieldProcessing> entries, bool submitted, FieldProcessing entry)
    {
        if (submitted)
        {
            entries.Add(entry);
        }
    }

    private static FieldProcessing Used(string field, string purpose) =>
        new(field, purpose, DataHandling.UsedInMemoryDiscarded, TimeSpan.Zero);

    private static FieldProcessing Ignored(string field) =>
        new(field, NotRead, DataHandling.IgnoredDiscarded, TimeSpan.Zero);
}
