using Google.Protobuf;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>Odd but legal input gets a verdict (or INVALID_ARGUMENT), never INTERNAL.</summary>
public sealed class HostileInputTests(LoadedHostFixture fixture) : IClassFixture<LoadedHostFixture>
{
    private readonly CommentFilter.CommentFilterClient _client = new(fixture.Host.Channel);

    public static TheoryData<string, string> OddContent => new()
    {
        { "control characters", "cheap\u0000pills\u0007\u001B[31m\u007F\u0085 done\r\n\t" },
        { "lone surrogates", "high \uD800 alone, low \uDC00 alone, reversed \uDC00\uD800" },
        { "emoji and ZWJ sequences", "Great article 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 thanks!" },
        { "right-to-left and bidi overrides", "مقالة رائعة، شكرا \u202Egnp.exe\u202C שלום עולם" },
        { "invisible characters", "ch\u200Beap vi\u00ADagra \uFEFFpills\u2060" },
        { "unclosed markup", "<a href=\"http://x.example/<<<<\" <b><i>&#xFEFF;&bogus; &#99999999;" },
        { "links whose host has no ASCII form", "see http://\u05D01.com/x and www.a\u0640b.com or <a href=\"http://\u05D01.com\">here</a>" },
        { "combining marks", "Z̴̡̢̛̗̘̙̜̝̞̟̠̀́̂̃̄̅̆̇̉̊̋̌̍̎̏̐̑̒̓̔̽̾̿̀́͂̓̈́͆͊͋͌ͅ͏͐͑͒͗͛ͣͤͥͦͧͨͩͪͫͬͭͮͯ͘͜͟͢͝͞͠͡a̷lgo" },
    };

    [Theory]
    [MemberData(nameof(OddContent))]
    public async Task CheckComment_OddContent_ReturnsVerdict(string @case, string content)
    {
        Assert.NotEmpty(@case);
        var request = Requests.WithContent(content);
        request.Author = content;
        request.UserAgent = content;
        request.Referrer = content;

        var response = await _client.CheckCommentAsync(request, deadline: SpamGuardHost.Deadline);

        Assert.NotEqual(Verdict.Unspecified, response.Verdict);
        Assert.False(string.IsNullOrWhiteSpace(response.Explanation.Summary));
    }

    [Fact]
    public async Task CheckComment_TenThousandLinks_ReturnsVerdict()
    {
        // 10,000 bare-domain links in 50,000 bytes: under the 64 KiB cap, so they are really scored.
        var content = string.Concat(Enumerable.Repeat("x.io ", 10_000));

        var response = await _client.CheckCommentAsync(Requests.WithContent(content), deadline: SpamGuardHost.Deadline);

        Assert.Equal(Verdict.Spam, response.Verdict);
        Assert.Contains(response.Explanation.Signals, s => s is { Name: "link.count", Evidence: "10000 links" });
    }

    [Fact]
    public async Task CheckComment_TenThousandFullUrlsOverTheCap_ReturnsInvalidArgument()
    {
        var content = string.Join(' ', Enumerable.Range(0, 10_000).Select(i => $"<a href=\"https://spam{i}.example.com/\">x</a>"));

        var ex = await Assert.ThrowsAsync<RpcException>(
            () => _client.CheckCommentAsync(Requests.WithContent(content), deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }

    [Fact]
    public async Task CheckComment_TruncatedMessage_IsInvalidArgument()
    {
        var whole = Requests.WithContent("a comment that will be cut off in the middle").ToByteArray();

        var ex = await Assert.ThrowsAsync<RpcException>(() => SendRawAsync(whole[..^5]));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }

    [Fact]
    public async Task CheckComment_InvalidUtf8OnTheWire_IsInvalidArgument()
    {
        // Arrange: a normal client cannot send invalid UTF-8, so write the content field (10, wire type 2) by hand:
        // a stray 0xFF, an encoded lone surrogate (ED A0 80) and an overlong '/' (C0 AF).
        byte[] content = [.. "ok "u8, 0xFF, 0xFE, 0xED, 0xA0, 0x80, 0xC0, 0xAF, .. " cheap pills"u8];
        byte[] body = [.. new CheckCommentRequest { Site = Requests.Site }.ToByteArray(), 0x52, (byte)content.Length, .. content];

        // Act
        var ex = await Assert.ThrowsAsync<RpcException>(() => SendRawAsync(body));

        // Assert: Google.Protobuf rejects invalid UTF-8 while the request is deserialized, before any interceptor;
        // the service's own binding reports that as bad input.
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("UTF-8", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Sends request bytes as they are, which a generated client never would.</summary>
    private Task<CheckCommentResponse> SendRawAsync(byte[] body)
    {
        var method = new Method<byte[], CheckCommentResponse>(
            MethodType.Unary,
            CommentFilter.Descriptor.FullName,
            "CheckComment",
            Marshallers.Create(static bytes => bytes, static bytes => bytes),
            Marshallers.Create(static (CheckCommentResponse r) => r.ToByteArray(), CheckCommentResponse.Parser.ParseFrom));
        return fixture.Host.Channel.CreateCallInvoker()
            .AsyncUnaryCall(method, null, new CallOptions(deadline: SpamGuardHost.Deadline), body).ResponseAsync;
    }
}
