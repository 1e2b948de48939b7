using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace SpamGuard.FaultLab;

/// <summary>
/// A hostile corpus against the Akismet REST facade: declared charsets .NET does not read (UTF-7 and its aliases),
/// broken multipart, invalid percent-encoding and UTF-8, huge fields and bodies, wrong content types, junk keys and
/// ids. Every answer must be Akismet's by design (200 with <c>invalid</c>, 4xx, 429, or 503 while the store is out):
/// an HTTP 5xx other than 503 is counted.
/// </summary>
internal sealed class HostileForms(Uri httpAddress, LabSite site, LabCounters counters)
{
    private static readonly string[] Charsets =
    [
        "utf-7", "UTF-7", "utf7", "unicode-1-1-utf-7", "csUnicode11UTF7", "unicode-2-0-utf-7", "x-unicode-2-0-utf-7",
        "utf-32", "utf-16", "ucs-2", "iso-8859-1", "latin1", "windows-1252", "koi8-r", "shift_jis", "gb2312", "ebcdic-cp-us",
        "\"utf-8\"", "'utf-7'", "", "utf-8, utf-7", "x-unknown-charset", "ut\u00e9-8", new string('u', 500),
    ];

    private static readonly string[] FormCalls = ["/1.1/comment-check", "/1.1/submit-spam", "/1.1/submit-ham", "/1.1/verify-key"];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Header values go out as raw UTF-8 so that a non-ASCII charset name reaches the server instead of failing here.
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        })
        { Timeout = TimeSpan.FromSeconds(20) };
        foreach (var (name, path, build) in Corpus())
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var request = build();
            request.RequestUri = new Uri(httpAddress, path);
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                var status = (int)response.StatusCode;
                counters.Add("forms_sent");
                counters.Add(status >= 500 ? "forms_5xx" : $"forms_{status / 100}xx");
                if (status >= 500 && response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    counters.Add("http_5xx");
                    counters.Note($"HTTP {status} for form '{name}' on {path}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Kestrel answers an oversized body early and closes the connection while the client is still
                // sending, which the client sees as a reset: counted apart, not as a 5xx. A crash would show as
                // the server's exit (server_exited) and as failures in the phases after this one.
                counters.Add("forms_no_answer");
                counters.Note($"no answer for form '{name}' on {path}: {Innermost(ex).Message}");
            }
        }
    }

    private IEnumerable<(string Name, string Path, Func<HttpRequestMessage> Build)> Corpus()
    {
        var fields = BaseFields();
        var form = Encode(fields);
        foreach (var path in FormCalls)
        {
            yield return ("valid form", path, () => Post(Encoding.UTF8.GetBytes(form), "application/x-www-form-urlencoded"));
            foreach (var charset in Charsets)
            {
                yield return ($"charset={charset}", path, () => Post(Encoding.UTF8.GetBytes(form), "application/x-www-form-urlencoded; charset=" + charset));
                yield return ($"multipart part charset={charset}", path, () => Multipart(fields, charset));
            }

            yield return ("_charset_=utf-7 field", path, () => Post(Encoding.UTF8.GetBytes(form + "&_charset_=utf-7"), "application/x-www-form-urlencoded"));
        }

        const string Check = "/1.1/comment-check";
        foreach (var (name, body) in new (string, string)[]
        {
            ("bad percent %zz", form + "&comment_content=%zz%"),
            ("lone percent", form + "&comment_author=%"),
            ("truncated utf-8 escape", form + "&comment_content=%e2%82"),
            ("invalid utf-8 escapes", form + "&comment_content=%ff%fe%fd%c3%28"),
            ("nul bytes", form + "&comment_author=a%00b&user_agent=%00"),
            ("utf-7 payload", form + "&comment_content=%2BADw-script%2BAD4-"),
            ("no equals", "api_key&blog&&&===&"),
            ("100k fields", string.Join('&', Enumerable.Repeat("x=1", 100_000)) + "&" + form),
            ("1 MiB field name", new string('n', 1 << 20) + "=1&" + form),
            ("10 MiB content", form + "&comment_content=" + new string('a', 10 << 20)),
            ("1 MiB user_ip", form + "&user_ip=" + new string('1', 1 << 20)),
            ("1 MiB api_key", "api_key=" + new string('k', 1 << 20) + "&blog=" + Uri.EscapeDataString(site.Url)),
            ("bad dates", form + "&comment_date_gmt=9999-99-99&comment_post_modified_gmt=-1"),
            ("honeypot names itself", form + "&honeypot_field_name=honeypot_field_name"),
            ("10k blog_lang", form + "&blog_lang=" + string.Join(',', Enumerable.Repeat("en", 10_000))),
        })
        {
            yield return (name, Check, () => Post(Encoding.UTF8.GetBytes(body), "application/x-www-form-urlencoded"));
        }

        yield return ("raw invalid utf-8 bytes", Check, () => Post([.. Encoding.ASCII.GetBytes(form + "&comment_content="), 0xC3, 0x28, 0xFF, 0xFE], "application/x-www-form-urlencoded"));
        yield return ("utf-16 body declared utf-8", Check, () => Post(Encoding.Unicode.GetBytes(form), "application/x-www-form-urlencoded; charset=utf-8"));
        yield return ("utf-16 body declared utf-16", Check, () => Post(Encoding.Unicode.GetBytes(form), "application/x-www-form-urlencoded; charset=utf-16"));
        yield return ("json body", Check, () => Post("{\"api_key\":1}"u8.ToArray(), "application/json"));
        yield return ("json as form", Check, () => Post("{\"api_key\":1}"u8.ToArray(), "application/x-www-form-urlencoded"));
        yield return ("text/plain", Check, () => Post(Encoding.UTF8.GetBytes(form), "text/plain"));
        yield return ("no content type", Check, () => new HttpRequestMessage(HttpMethod.Post, (Uri?)null) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(form)) });
        yield return ("garbage content type", Check, () => Post(Encoding.UTF8.GetBytes(form), "!!!/???; ;;=="));
        yield return ("charset without value", Check, () => Post(Encoding.UTF8.GetBytes(form), "application/x-www-form-urlencoded; charset"));
        yield return ("multipart without boundary", Check, () => Post(Encoding.UTF8.GetBytes(form), "multipart/form-data"));
        yield return ("multipart boundary mismatch", Check, () => Post(Encoding.UTF8.GetBytes("--a\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--a--\r\n"), "multipart/form-data; boundary=b"));
        yield return ("multipart unterminated", Check, () => Post(Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"comment_content\"\r\n\r\nabc"), "multipart/form-data; boundary=b"));
        yield return ("multipart 200-char boundary", Check, () => Post(Encoding.UTF8.GetBytes("--" + new string('b', 200) + "\r\n\r\n"), "multipart/form-data; boundary=" + new string('b', 200)));
        yield return ("multipart no disposition", Check, () => Post(Encoding.UTF8.GetBytes("--b\r\nContent-Type: text/plain\r\n\r\nabc\r\n--b--\r\n"), "multipart/form-data; boundary=b"));
        yield return ("multipart 100k header", Check, () => Post(Encoding.UTF8.GetBytes("--b\r\nX-Big: " + new string('h', 100_000) + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n"), "multipart/form-data; boundary=b"));
        yield return ("multipart 5 MiB file part", Check, () => Post(Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"comment_content\"; filename=\"x.txt\"\r\n\r\n" + new string('f', 5 << 20) + "\r\n--b--\r\n"), "multipart/form-data; boundary=b"));
        yield return ("multipart part charset=utf-7 via _charset_", Check, () => Post(Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"_charset_\"\r\n\r\nutf-7\r\n--b\r\nContent-Disposition: form-data; name=\"comment_content\"\r\n\r\n+ADw-x\r\n--b--\r\n"), "multipart/form-data; boundary=b"));
        yield return ("junk bearer", Check, () =>
        {
            var request = Post(Encoding.UTF8.GetBytes("blog=" + Uri.EscapeDataString(site.Url)), "application/x-www-form-urlencoded");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('z', 10_000));
            return request;
        });
        yield return ("junk key host", Check, () =>
        {
            var request = Post(Encoding.UTF8.GetBytes("blog=" + Uri.EscapeDataString(site.Url)), "application/x-www-form-urlencoded");
            request.Headers.TryAddWithoutValidation("Host", "sg" + new string('x', 60) + ".localhost");
            return request;
        });
        foreach (var id in new[] { new string('f', 1000), "%00", "..%2F..%2Fetc%2Fpasswd", "%ff%fe", "0" })
        {
            yield return ($"explanation {id[..Math.Min(12, id.Length)]}", "/1.1/explanation/" + id, () => Get(site.Key));
            yield return ($"receipt {id[..Math.Min(12, id.Length)]}", "/privacy/receipt/" + id + ".json", () => Get(null));
        }

        foreach (var query in new[] { "month=2026-13", "month=%ff", "limit=-1&offset=99999999999999", "order=;drop&format=xml", "format=csv&limit=0" })
        {
            yield return ($"key-sites {query}", "/1.2/key-sites?api_key=" + site.Key + "&" + query, () => Get(null));
            yield return ($"usage-limit {query}", "/1.2/usage-limit?api_key=" + site.Key + "&" + query, () => Get(null));
        }
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }

    private Dictionary<string, string> BaseFields() => new(StringComparer.Ordinal)
    {
        ["api_key"] = site.Key,
        ["blog"] = site.Url,
        ["user_ip"] = "198.51.100.23",
        ["user_agent"] = "Mozilla/5.0",
        ["comment_type"] = "comment",
        ["comment_author"] = "Eve",
        ["comment_content"] = "Hello +ADw-script+AD4- caf\u00e9 \u00fcber",
        ["is_test"] = "1",
    };

    private static string Encode(Dictionary<string, string> fields) => string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));

    private static HttpRequestMessage Post(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return new HttpRequestMessage(HttpMethod.Post, (Uri?)null) { Content = content };
    }

    private static HttpRequestMessage Multipart(Dictionary<string, string> fields, string charset)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            var part = new ByteArrayContent(Encoding.UTF8.GetBytes(value));
            part.Headers.TryAddWithoutValidation("Content-Type", "text/plain; charset=" + charset);
            content.Add(part, name);
        }

        return new HttpRequestMessage(HttpMethod.Post, (Uri?)null) { Content = content };
    }

    private static HttpRequestMessage Get(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, (Uri?)null);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }
}
