using System.Net;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>Security headers on every HTML page, and /metrics behind the admin key or on its own listener, over a real HttpClient.</summary>
public sealed class EdgeSecurityTests
{
    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
        var response = await http.SendAsync(request, timeout.Token);
        await response.Content.LoadIntoBufferAsync(timeout.Token);
        return response;
    }

    [Fact]
    public async Task EveryHtmlPage_HasTheSecurityHeaders()
    {
        // Arrange
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel());
        var check = await new CommentFilter.CommentFilterClient(host.Channel).CheckCommentAsync(Requests.Complete("cheap pills"), deadline: SpamGuardHost.Deadline);
        string[] paths = ["/privacy", $"/privacy/receipt/{check.CheckId}", "/privacy/receipt/00000000000000000000000000000000", "/privacy/receipt/not-an-id"];

        foreach (var path in paths)
        {
            // Act
            using var page = await GetAsync(host.Http, path);

            // Assert
            Assert.StartsWith("text/html", page.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", string.Join("", page.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", string.Join("", page.Headers.GetValues("Referrer-Policy")));
            Assert.Equal("DENY", string.Join("", page.Headers.GetValues("X-Frame-Options")));
        }

        // The plain-text and JSON answers get them too, since a browser may be pointed at any URL.
        foreach (var path in new[] { "/", "/healthz", "/privacy.json", "/1.1/verify-key" })
        {
            using var other = await GetAsync(host.Http, path);
            Assert.Equal("DENY", string.Join("", other.Headers.GetValues("X-Frame-Options")));
            Assert.Contains("frame-ancestors 'none'", string.Join(";", other.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metrics_NeedTheAdminKey_OnTheHttpEndpoint()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={SiteKeysForTests.AdminKey}");
        var siteKey = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);

        using var none = await GetAsync(host.Http, "/metrics");
        using var wrong = await GetAsync(host.Http, "/metrics", "Bearer not-the-admin-key-at-all-000000");
        using var site = await GetAsync(host.Http, "/metrics", "Bearer " + siteKey);
        using var admin = await GetAsync(host.Http, "/metrics", "bearer " + SiteKeysForTests.AdminKey);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, site.StatusCode);
        Assert.DoesNotContain("# TYPE", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("# TYPE", await admin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_OnTheirOwnListener_NeedNoKey_AndAreGoneFromTheHttpEndpoint()
    {
        // Arrange
        var port = LoopbackPorts.FreePair().First;
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={SiteKeysForTests.AdminKey}", $"--Metrics:Url=http://127.0.0.1:{port}");
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = SpamGuardHost.CallTimeout };
        await new CommentFilter.CommentFilterClient(host.Channel).CheckCommentAsync(Requests.Complete("cheap pills"), deadline: SpamGuardHost.Deadline);

        // Act
        using var scraped = await GetAsync(scraper, "/metrics");
        using var onHttp = await GetAsync(host.Http, "/metrics", "Bearer " + SiteKeysForTests.AdminKey);
        using var privacyOnMetrics = await GetAsync(scraper, "/privacy");
        using var akismetOnMetrics = await GetAsync(scraper, "/1.1/verify-key");

        // Assert
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("spamguard_", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, onHttp.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, privacyOnMetrics.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, akismetOnMetrics.StatusCode);
    }

    [Theory]
    [InlineData("https://127.0.0.1:9464")]
    [InlineData("http://metrics.example:9464")]
    [InlineData("http://127.0.0.1")]
    public async Task MetricsUrl_NotAnHttpAddressAndPort_FailsTheStart(string url)
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Metrics:Url={url}"));

        Assert.Contains("Metrics:Url", ex.Message, StringComparison.Ordinal);
    }
}
