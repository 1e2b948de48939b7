using System.Net;
using System.Text.Json;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// /privacy and /privacy.json over a real HTTP client: generated from the running configuration (a retention option
/// changes both), escaped, self-contained, and locked down by their headers.
/// </summary>
public sealed class PrivacyPageTests
{
    private const string HostileOperator = "Ann <script>alert(1)</script> & Co";

    private static async Task<(string Html, JsonElement Json, HttpResponseMessage Page)> FetchAsync(SpamGuardHost host)
    {
        var page = await host.Http.GetAsync(new Uri("/privacy", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(await host.Http.GetStringAsync(new Uri("/privacy.json", UriKind.Relative)));
        return (html, json.RootElement.Clone(), page);
    }

    [Fact]
    public async Task Page_ListsEveryRequestField_WithTheRetentionTheOptionsSet()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), "--Feedback:CheckRetentionDays=3");

        var (html, json, page) = await FetchAsync(host);

        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        foreach (var field in Requests.AllFieldNames.Where(f => f != "is_test"))
        {
            Assert.Contains($"<code>{field}</code>", html, StringComparison.Ordinal);
        }

        var fields = json.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.Equal(3 * 86_400, fields["site"].GetProperty("retention_seconds").GetInt64());
        Assert.Equal("StoredPseudonymised", fields["user_ip"].GetProperty("handling").GetString());
        Assert.Equal(31 * 86_400, fields["user_ip"].GetProperty("retention_seconds").GetInt64());
        Assert.Contains("for 3 days", fields["content"].GetProperty("purpose").GetString(), StringComparison.Ordinal);
        Assert.Contains(">3 days</td>", html, StringComparison.Ordinal);
        var checks = json.GetProperty("stores").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "Check records");
        Assert.Equal(3 * 86_400, checks.GetProperty("retention_seconds").GetInt64());
    }

    [Fact]
    public async Task ChangingARetentionOption_ChangesThePage()
    {
        await using var week = await SpamGuardHost.StartAsync(new KeywordTestModel());
        await using var fortnight = await SpamGuardHost.StartAsync(new KeywordTestModel(), "--Feedback:CheckRetentionDays=14");

        var (weekHtml, weekJson, _) = await FetchAsync(week);
        var (fortnightHtml, fortnightJson, _) = await FetchAsync(fortnight);

        Assert.Contains("kept with the check record for 7 days", weekHtml, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("kept with the check record for 14 days", fortnightHtml, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(weekJson.GetRawText(), fortnightJson.GetRawText());
    }

    [Fact]
    public async Task OperatorName_IsShownAsText_NeverAsMarkup_AndThePageAllowsNoScript()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(),
            $"--Privacy:OperatorName={HostileOperator}", "--Privacy:OperatorContact=privacy@blog.example");

        var (html, json, page) = await FetchAsync(host);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Ann &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", html, StringComparison.Ordinal);
        Assert.Equal(HostileOperator, json.GetProperty("operator_name").GetString());
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join("", page.Headers.GetValues("X-Content-Type-Options")));
        // Nothing is loaded from elsewhere.
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Snippet_LinksToTheConfiguredPublicAddress_InHtmlAndPlainText()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), "--Privacy:PublicBaseUrl=https://spam.example.org/filter");

        var (html, json, _) = await FetchAsync(host);

        const string expected = "https://spam.example.org/filter/privacy";
        var snippet = json.GetProperty("snippet");
        Assert.Contains($"href=\"{expected}\"", snippet.GetProperty("html").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(expected, snippet.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("Learn how your comment data is processed", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("https://spam.example.org")]
    public async Task Snippet_NeverLinksToTheRequestsHostHeader(string? publicBaseUrl)
    {
        // Arrange
        string[] args = publicBaseUrl is null ? [] : [$"--Privacy:PublicBaseUrl={publicBaseUrl}"];
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), args);
        const string hostile = "attacker.example";

        // Act
        var bodies = new List<string>();
        foreach (var path in new[] { "/privacy", "/privacy.json", "/privacy/receipt/00000000000000000000000000000000" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = $"{hostile}:{host.HttpPort}";
            using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
            var response = await host.Http.SendAsync(request, timeout.Token);
            bodies.Add(await response.Content.ReadAsStringAsync(timeout.Token));
        }

        // Assert
        Assert.All(bodies, body => Assert.DoesNotContain(hostile, body, StringComparison.OrdinalIgnoreCase));
        using var json = JsonDocument.Parse(bodies[1]);
        var text = json.RootElement.GetProperty("snippet").GetProperty("text").GetString();
        Assert.EndsWith(publicBaseUrl is null ? " /privacy" : publicBaseUrl + "/privacy", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spam.example.org")]
    [InlineData("ftp://spam.example.org/")]
    [InlineData("https://spam.example.org/?x=1")]
    public async Task PublicBaseUrl_NotAnAbsoluteHttpUrl_FailsTheStart(string value)
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Privacy:PublicBaseUrl={value}"));

        Assert.Contains("Privacy:PublicBaseUrl", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InRedisMode_ThePageSaysDataIsSharedInRedis_AndListsTheJournal()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Redis:Configuration={redis.Endpoint}", "--Redis:Resilience:TimeoutMilliseconds=2000");

        var (_, json, _) = await FetchAsync(host);

        var stores = json.GetProperty("stores").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.StartsWith("Redis", stores["Reputation"].GetProperty("location").GetString(), StringComparison.Ordinal);
        Assert.Equal(180 * 86_400, stores["Training examples"].GetProperty("retention_seconds").GetInt64());
        Assert.True(stores.ContainsKey("Report journal"));
    }
}
