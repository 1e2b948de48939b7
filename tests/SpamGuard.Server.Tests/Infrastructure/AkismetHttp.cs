using System.Net;

namespace SpamGuard.Server.Tests.Infrastructure;

/// <summary>An Akismet REST answer as a client sees it.</summary>
internal sealed record AkismetReply(HttpStatusCode Status, string Body, HttpResponseMessage Response)
{
    public string? Header(string name) => Response.Headers.TryGetValues(name, out var values) ? values.First() : null;
}

/// <summary>Posts Akismet forms to a host's HTTP endpoint with a real HttpClient.</summary>
internal static class AkismetHttp
{
    /// <param name="hostName">Sent as the Host header (the legacy "{key}.rest.example" form); null keeps 127.0.0.1.</param>
    public static async Task<AkismetReply> PostAsync(SpamGuardHost host, string path, IEnumerable<KeyValuePair<string, string>> fields, string? hostName = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (hostName is not null)
        {
            request.Headers.Host = $"{hostName}:{host.HttpPort}";
        }

        return await SendAsync(host, request);
    }

    /// <summary>The key's first site this month, as `/1.2/key-sites` reports its usage counts.</summary>
    public static async Task<System.Text.Json.JsonElement> KeySiteThisMonthAsync(SpamGuardHost host, string key)
    {
        var sites = await PostAsync(host, "/1.2/key-sites", [new("api_key", key)]);
        var month = DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        return System.Text.Json.JsonDocument.Parse(sites.Body).RootElement.GetProperty(month)[0];
    }

    public static async Task<AkismetReply> SendAsync(SpamGuardHost host, HttpRequestMessage request)
    {
        using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
        var response = await host.Http.SendAsync(request, timeout.Token);
        return new AkismetReply(response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token), response);
    }

    /// <summary>A comment as Akismet clients send it, for <see cref="Requests.Site"/>.</summary>
    public static List<KeyValuePair<string, string>> Comment(string content, params (string Name, string Value)[] more)
    {
        List<KeyValuePair<string, string>> fields =
        [
            new("blog", Requests.Site),
            new("user_ip", "203.0.113.9"),
            new("user_agent", "Mozilla/5.0 (X11; Linux x86_64)"),
            new("referrer", "https://search.example/"),
            new("permalink", "https://blog.example.org/2026/11/a-post"),
            new("comment_type", "comment"),
            new("comment_author", "Sam Reader"),
            new("comment_author_email", "sam@example.net"),
            new("comment_content", content),
        ];
        fields.AddRange(more.Select(m => new KeyValuePair<string, string>(m.Name, m.Value)));
        return fields;
    }
}
