using System.Net;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Scoring;
using SpamGuard.Server.Hosting;
using SpamGuard.Server.Scoring;
using SpamGuard.Server.Tests.Infrastructure;
using CoreComments = SpamGuard.Core.Comments;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace SpamGuard.Server.Tests.Unit;

/// <summary>What a valid request becomes in Core: the parts the end-to-end tests cannot see.</summary>
public sealed class CheckCommentRequestMapperTests
{
    private static readonly ScoringOptions Limits = new();

    [Fact]
    public void ToComment_CompleteRequest_MapsEveryField()
    {
        var comment = Requests.Complete("hello").ToComment(Limits);

        Assert.Equal(new Uri(Requests.Site), comment.Site);
        Assert.Equal(IPAddress.Parse("203.0.113.7"), comment.UserIp);
        Assert.Equal("Mozilla/5.0 (X11; Linux x86_64)", comment.UserAgent);
        Assert.Equal("https://search.example/?q=blog", comment.Referrer);
        Assert.Equal(new Uri("https://blog.example.org/2026/11/a-post"), comment.Permalink);
        Assert.Equal(CoreComments.CommentType.Reply, comment.Type);
        Assert.Equal("Jane Doe", comment.Author);
        Assert.Equal("jane@example.net", comment.AuthorEmail);
        Assert.Equal(new Uri("https://jane.example.net/"), comment.AuthorUrl);
        Assert.Equal("hello", comment.Content);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero), comment.CommentDate);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 9, 30, 0, TimeSpan.Zero), comment.PostModifiedDate);
        Assert.Equal(["en", "fr_ca"], comment.SiteLanguages);
        Assert.Equal("UTF-8", comment.Charset);
        Assert.Equal("subscriber", comment.UserRole);
        Assert.True(comment.IsTest);
        Assert.Equal(new CoreComments.Honeypot("website2", ""), comment.Honeypot);
        Assert.Equal(new CoreComments.ClientSignals(TimeSpan.FromSeconds(45), true), comment.ClientSignals);
    }

    [Fact]
    public void ToComment_MinimalRequest_LeavesOptionalPartsUnknown()
    {
        var comment = new CheckCommentRequest { Site = "http://blog.example" }.ToComment(Limits);

        Assert.Null(comment.UserIp);
        Assert.Null(comment.Permalink);
        Assert.Null(comment.AuthorUrl);
        Assert.Null(comment.CommentDate);
        Assert.Null(comment.Honeypot);
        Assert.Same(CoreComments.ClientSignals.Unknown, comment.ClientSignals);
        Assert.Equal(CoreComments.CommentType.Comment, comment.Type);
    }

    [Fact]
    public void ToComment_ClientSignalsPartlySet_KeepsUnsetMembersUnknown()
    {
        var request = new CheckCommentRequest { Site = "http://blog.example", ClientSignals = new ClientSignals { TimeToSubmitMs = 0 } };

        var comment = request.ToComment(Limits);

        Assert.Equal(new CoreComments.ClientSignals(TimeSpan.Zero, null), comment.ClientSignals);
    }

    [Theory]
    [InlineData(CommentType.Unspecified, CoreComments.CommentType.Comment)]
    [InlineData(CommentType.Comment, CoreComments.CommentType.Comment)]
    [InlineData(CommentType.ForumPost, CoreComments.CommentType.ForumPost)]
    [InlineData(CommentType.Reply, CoreComments.CommentType.Reply)]
    [InlineData(CommentType.BlogPost, CoreComments.CommentType.BlogPost)]
    [InlineData(CommentType.ContactForm, CoreComments.CommentType.ContactForm)]
    [InlineData(CommentType.Signup, CoreComments.CommentType.Signup)]
    [InlineData(CommentType.Message, CoreComments.CommentType.Message)]
    [InlineData(CommentType.Trackback, CoreComments.CommentType.Trackback)]
    [InlineData(CommentType.Pingback, CoreComments.CommentType.Pingback)]
    public void ToComment_EveryCommentType_MapsToCore(CommentType wire, CoreComments.CommentType expected)
    {
        var comment = new CheckCommentRequest { Site = "http://blog.example", CommentType = wire }.ToComment(Limits);

        Assert.Equal(expected, comment.Type);
    }

    [Fact]
    public void ToComment_EveryWireCommentType_IsHandled()
    {
        // A value added to the proto must get a mapping: the "unknown value" branch would throw here.
        foreach (var value in Enum.GetValues<CommentType>())
        {
            _ = new CheckCommentRequest { Site = "http://blog.example", CommentType = value }.ToComment(Limits);
        }

        Assert.Equal(10, Enum.GetValues<CommentType>().Length);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("2001:DB8:0:0:8:800:200C:417A")]
    [InlineData("::ffff:198.51.100.1")]
    public void ToComment_ValidIp_IsParsed(string ip)
    {
        var comment = new CheckCommentRequest { Site = "http://blog.example", UserIp = ip }.ToComment(Limits);

        Assert.Equal(IPAddress.Parse(ip), comment.UserIp);
    }

    [Fact]
    public void ToComment_TimestampAtEdgesOfRange_IsAccepted()
    {
        var request = new CheckCommentRequest
        {
            Site = "http://blog.example",
            CommentDate = new Timestamp { Seconds = -62_135_596_800 },
            PostModifiedDate = new Timestamp { Seconds = 253_402_300_799, Nanos = 999_999_999 },
        };

        var comment = request.ToComment(Limits);

        Assert.Equal(DateTimeOffset.MinValue, comment.CommentDate);
        // Nanos are truncated to 100 ns ticks, so the last representable nanosecond is DateTimeOffset.MaxValue.
        Assert.Equal(DateTimeOffset.MaxValue, comment.PostModifiedDate);
    }

    [Fact]
    public void ToComment_ConfiguredLimits_AreHonoured()
    {
        var tight = new ScoringOptions { MaxContentBytes = 10, MaxFieldBytes = 64 };
        var request = new CheckCommentRequest { Site = "http://blog.example", Content = "12345678901", Author = new string('a', 65) };

        var ex = Assert.Throws<InvalidRequestException>(() => request.ToComment(tight));

        Assert.Equal(["author", "content"], ex.Violations.Select(v => v.Field));
        Assert.Contains("10 bytes", ex.Violations[1].Description, StringComparison.Ordinal);
    }
}
