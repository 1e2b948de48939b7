using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>Every kind of bad input is INVALID_ARGUMENT with a BadRequest field violation that names the proto field.</summary>
public sealed class InvalidArgumentTests(LoadedHostFixture fixture) : IClassFixture<LoadedHostFixture>
{
    private static readonly Dictionary<string, Action<CheckCommentRequest>> Cases = new(StringComparer.Ordinal)
    {
        ["site missing"] = r => r.Site = "",
        ["site not a URL"] = r => r.Site = "not a url",
        ["site relative"] = r => r.Site = "/blog",
        ["site ftp"] = r => r.Site = "ftp://blog.example.org/",
        ["site oversized"] = r => r.Site = "https://blog.example.org/" + new string('a', 4096),
        ["ip single number"] = r => r.UserIp = "1",
        ["ip three parts"] = r => r.UserIp = "1.2.3",
        ["ip five parts"] = r => r.UserIp = "1.2.3.4.5",
        ["ip octet too big"] = r => r.UserIp = "256.1.1.1",
        ["ip leading zero"] = r => r.UserIp = "010.0.0.1",
        ["ip hostname"] = r => r.UserIp = "localhost",
        ["ip padded"] = r => r.UserIp = " 192.0.2.1",
        ["ipv6 double gap"] = r => r.UserIp = "2001::db8::1",
        ["ipv6 bracketed"] = r => r.UserIp = "[2001:db8::1]",
        ["ipv6 zone id"] = r => r.UserIp = "fe80::1%eth0",
        ["permalink malformed"] = r => r.Permalink = "http//blog.example.org/post",
        ["permalink script"] = r => r.Permalink = "javascript:alert(1)",
        ["author_url malformed"] = r => r.AuthorUrl = "www.example.com",
        ["author_url mailto"] = r => r.AuthorUrl = "mailto:someone@example.com",
        ["author_url host without ASCII form"] = r => r.AuthorUrl = "http://\u05D01.com/",
        ["author_email with spaces"] = r => r.AuthorEmail = "a b@c d.com",
        ["author_email domain with space"] = r => r.AuthorEmail = "x@exa mple.com",
        ["author_email two at signs"] = r => r.AuthorEmail = "a@b@example.com",
        ["author_email no domain"] = r => r.AuthorEmail = "someone@",
        ["author_email no at"] = r => r.AuthorEmail = "someone.example.com",
        ["content over 64 KiB ascii"] = r => r.Content = new string('a', 64 * 1024 + 1),
        ["content over 64 KiB in bytes not chars"] = r => r.Content = new string('é', 32 * 1024 + 1),
        ["author oversized"] = r => r.Author = new string('a', 4097),
        ["author_email oversized"] = r => r.AuthorEmail = new string('a', 4091) + "@x.org",
        ["user_agent oversized"] = r => r.UserAgent = new string('a', 4097),
        ["referrer oversized"] = r => r.Referrer = new string('a', 4097),
        ["charset oversized"] = r => r.Charset = new string('a', 4097),
        ["user_role oversized"] = r => r.UserRole = new string('a', 4097),
        ["honeypot value oversized"] = r => r.Honeypot = new Honeypot { FieldName = "hp", Value = new string('a', 4097) },
        ["too many languages"] = r => r.SiteLanguages.Add(Enumerable.Range(0, 33).Select(i => "l" + i)),
        ["language too long"] = r => r.SiteLanguages.Add(new string('e', 65)),
        ["comment_type unknown"] = r => r.CommentType = (CommentType)42,
        ["comment_date after 9999"] = r => r.CommentDate = new Timestamp { Seconds = 253_402_300_800 },
        ["comment_date negative nanos"] = r => r.CommentDate = new Timestamp { Seconds = 0, Nanos = -1 },
        ["post_modified_date before 0001"] = r => r.PostModifiedDate = new Timestamp { Seconds = -62_135_596_801 },
    };

    private readonly CommentFilter.CommentFilterClient _client = new(fixture.Host.Channel);

    public static TheoryData<string, string> InvalidRequests => new()
    {
        { "site missing", "site" },
        { "site not a URL", "site" },
        { "site relative", "site" },
        { "site ftp", "site" },
        { "site oversized", "site" },
        { "ip single number", "user_ip" },
        { "ip three parts", "user_ip" },
        { "ip five parts", "user_ip" },
        { "ip octet too big", "user_ip" },
        { "ip leading zero", "user_ip" },
        { "ip hostname", "user_ip" },
        { "ip padded", "user_ip" },
        { "ipv6 double gap", "user_ip" },
        { "ipv6 bracketed", "user_ip" },
        { "ipv6 zone id", "user_ip" },
        { "permalink malformed", "permalink" },
        { "permalink script", "permalink" },
        { "author_url malformed", "author_url" },
        { "author_url mailto", "author_url" },
        { "author_url host without ASCII form", "author_url" },
        { "author_email with spaces", "author_email" },
        { "author_email domain with space", "author_email" },
        { "author_email two at signs", "author_email" },
        { "author_email no domain", "author_email" },
        { "author_email no at", "author_email" },
        { "content over 64 KiB ascii", "content" },
        { "content over 64 KiB in bytes not chars", "content" },
        { "author oversized", "author" },
        { "author_email oversized", "author_email" },
        { "user_agent oversized", "user_agent" },
        { "referrer oversized", "referrer" },
        { "charset oversized", "charset" },
        { "user_role oversized", "user_role" },
        { "honeypot value oversized", "honeypot.value" },
        { "too many languages", "site_languages" },
        { "language too long", "site_languages[0]" },
        { "comment_type unknown", "comment_type" },
        { "comment_date after 9999", "comment_date" },
        { "comment_date negative nanos", "comment_date" },
        { "post_modified_date before 0001", "post_modified_date" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task CheckComment_InvalidField_ReturnsInvalidArgumentNamingTheField(string @case, string field)
    {
        // Arrange
        var request = Requests.WithContent("A perfectly normal comment.");
        Cases[@case](request);

        // Act
        var ex = await Assert.ThrowsAsync<RpcException>(
            () => _client.CheckCommentAsync(request, deadline: SpamGuardHost.Deadline).ResponseAsync);

        // Assert
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains(field, ex.Status.Detail, StringComparison.Ordinal);
        var violation = Assert.Single(BadRequestOf(ex).FieldViolations);
        Assert.Equal(field, violation.Field);
        Assert.False(string.IsNullOrWhiteSpace(violation.Description));
    }

    [Fact]
    public void InvalidRequests_CoverEveryCase()
    {
        // Guards against a case added to one table and not the other.
        Assert.Equal(Cases.Keys.Order(StringComparer.Ordinal), InvalidRequests.Select(row => (string)row[0]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CheckComment_SeveralInvalidFields_ReportsEveryViolation()
    {
        var request = new CheckCommentRequest { Site = "", UserIp = "1.2.3", AuthorUrl = "nope", CommentType = (CommentType)99 };

        var ex = await Assert.ThrowsAsync<RpcException>(
            () => _client.CheckCommentAsync(request, deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(
            ["author_url", "comment_type", "site", "user_ip"],
            BadRequestOf(ex).FieldViolations.Select(v => v.Field).Order(StringComparer.Ordinal));
    }

    private static BadRequest BadRequestOf(RpcException ex)
    {
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal((int)Code.InvalidArgument, status.Code);
        var badRequest = status.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        return badRequest;
    }
}
