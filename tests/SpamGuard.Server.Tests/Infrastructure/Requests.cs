using Google.Protobuf.WellKnownTypes;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Server.Tests.Infrastructure;

/// <summary>Request builders for the tests.</summary>
internal static class Requests
{
    public const string Site = "https://blog.example.org/";

    public static CheckCommentRequest WithContent(string content) => new() { Site = Site, Content = content };

    /// <summary>A request with every field set (non-empty), as a full Akismet-style integration sends it.</summary>
    public static CheckCommentRequest Complete(string content) => new()
    {
        Site = Site,
        UserIp = "203.0.113.7",
        UserAgent = "Mozilla/5.0 (X11; Linux x86_64)",
        Referrer = "https://search.example/?q=blog",
        Permalink = "https://blog.example.org/2026/11/a-post",
        CommentType = CommentType.Reply,
        Author = "Jane Doe",
        AuthorEmail = "jane@example.net",
        AuthorUrl = "https://jane.example.net/",
        Content = content,
        CommentDate = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero)),
        PostModifiedDate = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 1, 9, 30, 0, TimeSpan.Zero)),
        SiteLanguages = { "en", "fr_ca" },
        Charset = "UTF-8",
        UserRole = "subscriber",
        IsTest = true,
        Honeypot = new Honeypot { FieldName = "website2", Value = "" },
        ClientSignals = new ClientSignals { TimeToSubmitMs = 45_000, JavascriptRan = true },
    };

    /// <summary>The proto field names of every top-level field of <see cref="Complete"/>.</summary>
    public static readonly IReadOnlyList<string> AllFieldNames =
        CheckCommentRequest.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name).ToList();
}
