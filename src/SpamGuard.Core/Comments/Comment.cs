using System.Net;

namespace SpamGuard.Core.Comments;

/// <summary>What kind of content is being checked (Akismet's <c>comment_type</c>).</summary>
public enum CommentType
{
    Comment,
    ForumPost,
    Reply,
    BlogPost,
    ContactForm,
    Signup,
    Message,
    Trackback,
    Pingback,
}

/// <summary>A hidden form field that people never fill in and naive bots do.</summary>
public sealed record Honeypot(string FieldName, string Value)
{
    public bool IsFilled => !string.IsNullOrEmpty(Value);
}

/// <summary>What the comment form measured in the browser; null members are unknown.</summary>
public sealed record ClientSignals(TimeSpan? TimeToSubmit, bool? JavaScriptRan)
{
    public static readonly ClientSignals Unknown = new(null, null);
}

/// <summary>
/// One comment as submitted by a blog, already validated at the edge. Fields mirror Akismet's comment-check.
/// Personal data (IP, e-mail, author) lives here only for the duration of one check.
/// </summary>
public sealed record Comment
{
    public required Uri Site { get; init; }
    public IPAddress? UserIp { get; init; }
    public string UserAgent { get; init; } = "";
    public string Referrer { get; init; } = "";
    public Uri? Permalink { get; init; }
    public CommentType Type { get; init; } = CommentType.Comment;
    public string Author { get; init; } = "";
    public string AuthorEmail { get; init; } = "";
    public Uri? AuthorUrl { get; init; }
    public string Content { get; init; } = "";
    public DateTimeOffset? CommentDate { get; init; }
    public DateTimeOffset? PostModifiedDate { get; init; }
    public IReadOnlyList<string> SiteLanguages { get; init; } = [];
    public string Charset { get; init; } = "";
    public string UserRole { get; init; } = "";
    public bool IsTest { get; init; }
    public Honeypot? Honeypot { get; init; }
    public ClientSignals ClientSignals { get; init; } = ClientSignals.Unknown;

    /// <summary>The domain after the last '@' of the e-mail, lower-cased; empty when there is none.</summary>
    public string AuthorEmailDomain
    {
        get
        {
            var at = AuthorEmail.LastIndexOf('@');
            return at < 0 || at == AuthorEmail.Length - 1 ? "" : AuthorEmail[(at + 1)..].Trim().ToLowerInvariant();
        }
    }
}
