using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// A hostile form corpus sent to every Akismet REST endpoint of a real server with a real HttpClient: every request
/// gets Akismet's answer (never a 5xx), and nothing is logged with a stack trace.
/// </summary>
public sealed class HostileFormTests : IAsyncLifetime, IDisposable
{
    private static readonly string[] Endpoints =
        ["/1.1/verify-key", "/1.1/comment-check", "/1.1/submit-spam", "/1.1/submit-ham", "/1.2/usage-limit", "/1.2/key-sites"];

    private static readonly string[] Utf7Names = ["utf-7", "UTF-7", "utf7", "x-unicode-1-1-utf-7", "csUnicode11UTF7", "unicode-1-1-utf-7", "\"utf-7\""];

    private readonly CapturingLoggerProvider _logs = new();
    private SpamGuardHost? _host;
    private string _key = "";

    private SpamGuardHost Host => _host!;

    public async Task InitializeAsync()
    {
        _host = await SpamGuardHost.StartAsync(new KeywordTestModel(), services => services.AddSingleton<ILoggerProvider>(_logs),
            $"--Admin:Key={SiteKeysForTests.AdminKey}", "--Logging:LogLevel:Default=Debug");
        _key = await SiteKeysForTests.CreateKeyAsync(_host, Requests.Site);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    public void Dispose() => _logs.Dispose();

    /// <summary>A form body as the client declares it: the bytes and the raw Content-Type header (unvalidated).</summary>
    private static ByteArrayContent Raw(byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }

    private string Form(params string[] more) =>
        string.Join('&', new[] { $"api_key={_key}", $"blog={Uri.EscapeDataString(Requests.Site)}", "user_ip=203.0.113.9", "comment_content=hello" }.Concat(more));

    private static string Multipart(string boundary, params (string Name, string Value, string? ContentType)[] parts)
    {
        var body = new StringBuilder();
        foreach (var (name, value, type) in parts)
        {
            body.Append("--").Append(boundary).Append("\r\nContent-Disposition: form-data; name=\"").Append(name).Append("\"\r\n");
            if (type is not null)
            {
                body.Append("Content-Type: ").Append(type).Append("\r\n");
            }

            body.Append("\r\n").Append(value).Append("\r\n");
        }

        return body.Append("--").Append(boundary).Append("--\r\n").ToString();
    }

    /// <summary>Every hostile form, by name; the charset cases are marked so their answer can be checked exactly.</summary>
    private List<(string Name, bool Charset, Func<HttpContent?> Content)> Corpus()
    {
        const string formType = "application/x-www-form-urlencoded";
        var ascii = Encoding.ASCII;
        var corpus = new List<(string, bool, Func<HttpContent?>)>();
        foreach (var name in Utf7Names.Concat(["x-no-such-charset", "utf-32", "utf-16", "ibm037"]))
        {
            corpus.Add(($"charset={name}", true, () => Raw(ascii.GetBytes(Form("comment_author=+AGEAYgBj-")), $"{formType}; charset={name}")));
        }

        foreach (var name in new[] { "utf-7", "csUnicode11UTF7", "x-no-such-charset" })
        {
            corpus.Add(($"multipart part charset={name}", false, () => Raw(ascii.GetBytes(Multipart("b0undary",
                ("api_key", _key, null), ("blog", Requests.Site, null), ("comment_content", "+AGEAYgBj-", $"text/plain; charset={name}"))), "multipart/form-data; boundary=b0undary")));
            corpus.Add(($"multipart charset={name} on the whole body", true, () => Raw(ascii.GetBytes(Multipart("b0undary",
                ("api_key", _key, null), ("comment_content", "x", null))), $"multipart/form-data; boundary=b0undary; charset={name}")));
        }

        corpus.Add(("multipart without boundary", false, () => Raw(ascii.GetBytes(Multipart("b", ("blog", Requests.Site, null))), "multipart/form-data")));
        corpus.Add(("multipart with another boundary", false, () => Raw(ascii.GetBytes(Multipart("real", ("blog", Requests.Site, null))), "multipart/form-data; boundary=declared")));
        corpus.Add(("multipart boundary over 128 characters", false, () => Raw(ascii.GetBytes(Multipart(new string('b', 300), ("blog", Requests.Site, null))), $"multipart/form-data; boundary={new string('b', 300)}")));
        corpus.Add(("multipart never closed", false, () => Raw(ascii.GetBytes("--b\r\nContent-Disposition: form-data; name=\"blog\"\r\n\r\nhttps://blog"), "multipart/form-data; boundary=b")));
        corpus.Add(("multipart part without headers", false, () => Raw(ascii.GetBytes("--b\r\n\r\nvalue\r\n--b--\r\n"), "multipart/form-data; boundary=b")));
        corpus.Add(("multipart file part", false, () => Raw(ascii.GetBytes("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../../etc/passwd\"\r\nContent-Type: application/octet-stream\r\n\r\nroot:x\r\n--b--\r\n"), "multipart/form-data; boundary=b")));
        corpus.Add(("invalid percent-encoding", false, () => Raw(ascii.GetBytes(Form("comment_author=%ZZ%", "comment_content=%E0%A4%A", "%=%%%")), formType)));
        corpus.Add(("invalid UTF-8", false, () => Raw([.. ascii.GetBytes(Form()), .. "&comment_author="u8, 0xFF, 0xFE, 0xED, 0xA0, 0x80, 0xC0, 0xAF], $"{formType}; charset=utf-8")));
        corpus.Add(("percent-encoded invalid UTF-8", false, () => Raw(ascii.GetBytes(Form("comment_author=%FF%FE%ED%A0%80%C0%AF")), formType)));
        corpus.Add(("NUL bytes and control characters", false, () => Raw(ascii.GetBytes(Form("comment_author=%00%01%1B%7F", "%00=%00")), formType)));
        corpus.Add(("duplicate fields", false, () => Raw(ascii.GetBytes(Form($"blog={Uri.EscapeDataString(Requests.Site)}", "blog=https://other.example/", "api_key=sgother", "comment_content=second")), formType)));
        corpus.Add(("a 1 MB field", false, () => Raw(ascii.GetBytes(Form("comment_content=" + new string('x', 1_000_000))), formType)));
        corpus.Add(("a 2,000-character field name", false, () => Raw(ascii.GetBytes(Form(new string('k', 2000) + "=v")), formType)));
        corpus.Add(("1,000 fields", false, () => Raw(ascii.GetBytes(Form([.. Enumerable.Range(0, 1000).Select(i => $"f{i}=v")])), formType)));
        corpus.Add(("a date that is not one", false, () => Raw(ascii.GetBytes(Form("comment_date_gmt=9999-99-99T99:99:99Z", "comment_post_modified_gmt=%00")), formType)));
        corpus.Add(("no Content-Type", false, () => Raw(ascii.GetBytes(Form()), null)));
        corpus.Add(("text/plain", false, () => Raw(ascii.GetBytes(Form()), "text/plain")));
        corpus.Add(("JSON", false, () => Raw(ascii.GetBytes($$"""{"api_key":"{{_key}}"}"""), "application/json")));
        corpus.Add(("XML", false, () => Raw(ascii.GetBytes("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"), "application/xml")));
        corpus.Add(("multipart/mixed", false, () => Raw(ascii.GetBytes(Multipart("b", ("blog", Requests.Site, null))), "multipart/mixed; boundary=b")));
        corpus.Add(("a broken Content-Type", false, () => Raw(ascii.GetBytes(Form()), "application/x-www-form-urlencoded; charset")));
        corpus.Add(("a Content-Type of parameters only", false, () => Raw(ascii.GetBytes(Form()), ";;;=;charset=\"")));
        corpus.Add(("no body", false, () => null));
        return corpus;
    }

    [Fact]
    public async Task EveryEndpoint_AnswersTheHostileFormCorpus_WithoutA5xxOrAStackTrace()
    {
        // Arrange
        var failures = new List<string>();
        var answered = 0;

        // Act
        foreach (var (name, charset, content) in Corpus())
        {
            foreach (var path in Endpoints)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content() };
                AkismetReply reply;
                try
                {
                    reply = await AkismetHttp.SendAsync(Host, request);
                }
                catch (HttpRequestException ex) when (ex.InnerException is IOException)
                {
                    // The server answered an oversized body before HttpClient had finished sending it and closed the
                    // connection (a broken pipe on our side, depending on timing). Ask again on a raw socket, which
                    // reads the answer whatever happened to the upload.
                    answered++;
                    if (await RawStatusLineAsync(path, content() ?? new ByteArrayContent([])) is { } line && Regex.IsMatch(line, @"^HTTP/1\.1 5\d\d"))
                    {
                        failures.Add($"{path} {name}: {line}");
                    }

                    continue;
                }

                answered++;
                if ((int)reply.Status >= 500)
                {
                    failures.Add($"{path} {name}: HTTP {(int)reply.Status}");
                }

                if (charset && (reply.Status != HttpStatusCode.OK || reply.Body != "invalid"
                    || reply.Header("X-akismet-debug-help") is not { } help || !help.Contains("charset", StringComparison.Ordinal)))
                {
                    failures.Add($"{path} {name}: {(int)reply.Status} {reply.Body} [{reply.Header("X-akismet-debug-help")}]");
                }
            }
        }

        // Assert
        Assert.Empty(failures);
        Assert.True(answered > 200, $"{answered} requests");
        AssertNoStackTraceLogged();
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 4101 && e.Level == LogLevel.Debug && e.Message.Contains("charset", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("utf-7")]
    [InlineData("csUnicode11UTF7")]
    public async Task CommentCheck_Utf7Form_IsInvalidWithAHelpHeaderNamingTheCharset(string charset)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/1.1/comment-check")
        {
            Content = Raw(Encoding.ASCII.GetBytes(Form()), $"application/x-www-form-urlencoded; charset={charset}"),
        };

        var reply = await AkismetHttp.SendAsync(Host, request);

        Assert.Equal((HttpStatusCode.OK, "invalid"), (reply.Status, reply.Body));
        Assert.Contains($"charset \"{charset}\"", reply.Header("X-akismet-debug-help"), StringComparison.Ordinal);
        Assert.Contains("UTF-8", reply.Header("X-akismet-debug-help"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommentCheck_DeclaredUtf8AndLatin1_AreStillRead()
    {
        foreach (var charset in new[] { "utf-8", "UTF8", "iso-8859-1", "us-ascii" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/1.1/comment-check")
            {
                Content = Raw(Encoding.ASCII.GetBytes(Form()), $"application/x-www-form-urlencoded; charset={charset}"),
            };

            var reply = await AkismetHttp.SendAsync(Host, request);

            Assert.True(reply.Body == "false", $"{charset}: {reply.Body} {reply.Header("X-akismet-debug-help")}");
        }
    }

    [Fact]
    public async Task CommentCheck_TruncatedBody_IsNeverAServerError()
    {
        // Arrange: a raw socket, since HttpClient will not send fewer bytes than its Content-Length.
        using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Host.HttpPort, timeout.Token);
        var stream = client.GetStream();
        var head = $"POST /1.1/comment-check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\n{Form()}";

        // Act
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token);
        client.Client.Shutdown(SocketShutdown.Send);
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            // Kestrel may reset the connection of a request whose body never came: no answer, and no 5xx.
        }

        // Assert: the server may answer (400 or Akismet's invalid) or just close; never with a 5xx.
        Assert.DoesNotMatch(@"^HTTP/1\.1 5\d\d", answer.ToString());
        AssertNoStackTraceLogged();
    }

    /// <summary>Sends the request on a raw socket, ignoring a failed upload, and returns the answer's status line
    /// (null when the server closed without one).</summary>
    private async Task<string?> RawStatusLineAsync(string path, HttpContent content)
    {
        using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Host.HttpPort, timeout.Token);
        var stream = client.GetStream();
        var body = await content.ReadAsByteArrayAsync(timeout.Token);
        var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content.Headers.ContentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token);
            await stream.WriteAsync(body, timeout.Token);
        }
        catch (IOException)
        {
            // The server stopped reading: its answer, if any, is still there to read.
        }

        var answer = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0 && !answer.ToString().Contains("\r\n", StringComparison.Ordinal))
            {
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            // Reset after the answer, or without one: neither is a 5xx.
        }

        var text = answer.ToString();
        return text.Length == 0 ? null : text.Split("\r\n")[0];
    }

    private void AssertNoStackTraceLogged()
    {
        // The framework's own Debug lines may carry the exception of a torn connection; nothing from SpamGuard
        // carries one at all, and nothing at Information or above does.
        var withException = _logs.Entries.Where(e => e.Exception is not null
            && (e.Level >= LogLevel.Information || e.Category.StartsWith("SpamGuard", StringComparison.Ordinal))).ToList();
        Assert.True(withException.Count == 0,
            string.Join("\n", withException.Select(e => $"{e.Level} {e.Category} {e.EventId}: {e.Message} {e.Exception!.GetType().Name}")));
    }
}
