using System.Net;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Explanations;

namespace SpamGuard.Core.Tests;

public sealed class ProcessingDisclosureTests
{
    // Field names of CheckCommentRequest in protos/spamguard/v1/comment_filter.proto.
    private static readonly string[] ProtoFields =
    [
        "site", "user_ip", "user_agent", "referrer", "permalink", "comment_type", "author", "author_email", "author_url",
        "content", "comment_date", "post_modified_date", "site_languages", "charset", "user_role", "is_test", "honeypot",
        "client_signals",
    ];

    private static readonly Comment Minimal = new() { Site = TestComments.Site };

    private static readonly Comment Full = new()
    {
        Site = TestComments.Site,
        UserIp = IPAddress.Parse("203.0.113.7"),
        UserAgent = "Mozilla/5.0",
        Referrer = "https://blog.example/post",
        Permalink = new Uri("https://blog.example/post"),
        Type = CommentType.Reply,
        Author = "Ann",
        AuthorEmail = "ann@mail.example",
        AuthorUrl = new Uri("https://ann.example/"),
        Content = "Thanks!",
        CommentDate = DateTimeOffset.UnixEpoch,
        PostModifiedDate = DateTimeOffset.UnixEpoch,
        SiteLanguages = ["en"],
        Charset = "UTF-8",
        UserRole = "subscriber",
        IsTest = true,
        Honeypot = new Honeypot("website", ""),
        ClientSignals = new ClientSignals(TimeSpan.FromSeconds(20), true),
    };

    private static Comment WithOnly(string field) => field switch
    {
        "user_ip" => Minimal with { UserIp = IPAddress.IPv6Loopback },
        "user_agent" => Minimal with { UserAgent = "curl/8" },
        "referrer" => Minimal with { Referrer = "https://r.example/" },
        "permalink" => Minimal with { Permalink = new Uri("https://blog.example/p") },
        "author" => Minimal with { Author = "Ann" },
        "author_email" => Minimal with { AuthorEmail = "ann@mail.example" },
        "author_url" => Minimal with { AuthorUrl = new Uri("https://ann.example/") },
        "comment_date" => Minimal with { CommentDate = DateTimeOffset.UnixEpoch },
        "post_modified_date" => Minimal with { PostModifiedDate = DateTimeOffset.UnixEpoch },
        "site_languages" => Minimal with { SiteLanguages = ["fr_ca"] },
        "charset" => Minimal with { Charset = "UTF-8" },
        "user_role" => Minimal with { UserRole = "administrator" },
        "is_test" => Minimal with { IsTest = true },
        "honeypot" => Minimal with { Honeypot = new Honeypot("hp", "x") },
        "client_signals" => Minimal with { ClientSignals = new ClientSignals(null, false) },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    private static FieldProcessing Entry(Comment comment, string field) =>
        Assert.Single(ProcessingDisclosure.For(comment), e => e.Field == field);

    [Fact]
    public void For_MinimalComment_ListsOnlyAlwaysPresentFields()
    {
        var fields = ProcessingDisclosure.For(Minimal).Select(e => e.Field);

        Assert.Equal(["site", "comment_type", "content"], fields);
    }

    [Fact]
    public void For_FullComment_OneEntryPerProtoField()
    {
        var fields = ProcessingDisclosure.For(Full).Select(e => e.Field).ToList();

        Assert.Equal(fields.Count, fields.Distinct().Count());
        Assert.Equal(ProtoFields.Order(), fields.Order());
    }

    [Theory]
    [InlineData("user_ip")]
    [InlineData("user_agent")]
    [InlineData("referrer")]
    [InlineData("permalink")]
    [InlineData("author")]
    [InlineData("author_email")]
    [InlineData("author_url")]
    [InlineData("comment_date")]
    [InlineData("post_modified_date")]
    [InlineData("site_languages")]
    [InlineData("charset")]
    [InlineData("user_role")]
    [InlineData("is_test")]
    [InlineData("honeypot")]
    [InlineData("client_signals")]
    public void For_OneOptionalFieldSubmitted_AddsExactlyItsEntry(string field)
    {
        var expected = new List<string> { "site", "comment_type", "content", field };

        var fields = ProcessingDisclosure.For(WithOnly(field)).Select(e => e.Field);

        Assert.Equal(expected.Order(StringComparer.Ordinal), fields.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void For_EveryEntry_IsNotStoredAndHasZeroRetention()
    {
        Assert.All(ProcessingDisclosure.For(Full), e =>
        {
            Assert.Equal(TimeSpan.Zero, e.Retention);
            Assert.True(e.Handling is DataHandling.UsedInMemoryDiscarded or DataHandling.IgnoredDiscarded, $"{e.Field}: {e.Handling}");
            Assert.False(string.IsNullOrWhiteSpace(e.Purpose), e.Field);
        });
    }

    [Theory]
    [InlineData("content")]
    [InlineData("author")]
    [InlineData("author_email")]
    [InlineData("author_url")]
    [InlineData("user_role")]
    [InlineData("honeypot")]
    [InlineData("client_signals")]
    public void For_FieldTheScorerReads_IsMarkedUsed(string field)
    {
        Assert.Equal(DataHandling.UsedInMemoryDiscarded, Entry(Full, field).Handling);
    }

    [Theory]
    [InlineData("user_agent")]
    [InlineData("referrer")]
    [InlineData("charset")]
    [InlineData("comment_type")]
    [InlineData("comment_date")]
    [InlineData("post_modified_date")]
    [InlineData("site_languages")]
    public void For_FieldTheScorerDoesNotRead_IsMarkedIgnored(string field)
    {
        Assert.Equal(DataHandling.IgnoredDiscarded, Entry(Full, field).Handling);
    }
}
