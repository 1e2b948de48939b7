using System.Globalization;
using System.Net;
using System.Text.Json;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>The Akismet calls around the checks (the WordPress plugin's account, statistics and deactivation calls,
/// key-sites' filter, report outcomes), over a real socket with a real HttpClient.</summary>
public sealed class AkismetAccountCallsTests
{
    private static Task<SpamGuardHost> StartAsync(params string[] args) =>
        SpamGuardHost.StartAsync(new KeywordTestModel(), [$"--Admin:Key={SiteKeysForTests.AdminKey}", .. args]);

    [Fact]
    public async Task GetSubscriptionStatsAndDeactivate_AnswerAsThePluginReadsThem_FromTheKeysUsage()
    {
        // Arrange: two spam, one ham, one missed spam, one false positive on the blog; one check on another site.
        await using var host = await StartAsync();
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);
        var otherKey = await SiteKeysForTests.CreateKeyAsync(host, SiteKeysForTests.OtherSite);
        foreach (var content in new[] { "viagra now", "viagra again", "thanks, a great article" })
        {
            await AkismetHttp.PostAsync(host, "/1.1/comment-check", [.. AkismetHttp.Comment(content), new("api_key", key)]);
        }

        await AkismetHttp.PostAsync(host, "/1.1/submit-spam", [.. AkismetHttp.Comment("slipped through"), new("api_key", key)]);
        await AkismetHttp.PostAsync(host, "/1.1/submit-ham", [.. AkismetHttp.Comment("viagra, from a friend"), new("api_key", key)]);

        // Act
        var subscription = await AkismetHttp.PostAsync(host, "/1.1/get-subscription", [new("key", key), new("blog", Requests.Site)]);
        var sixMonths = await AkismetHttp.PostAsync(host, "/1.1/get-stats", [new("blog", Requests.Site), new("key", key), new("from", "6-months")]);
        var all = await AkismetHttp.PostAsync(host, "/1.1/get-stats", [new("blog", Requests.Site), new("key", key), new("from", "all")]);
        var otherKeysStats = await AkismetHttp.PostAsync(host, "/1.1/get-stats", [new("blog", SiteKeysForTests.OtherSite), new("key", otherKey), new("from", "all")]);
        var badInterval = await AkismetHttp.PostAsync(host, "/1.1/get-stats", [new("blog", Requests.Site), new("key", key), new("from", "forever")]);
        var unknownSubscription = await AkismetHttp.PostAsync(host, "/1.1/get-subscription", [new("key", "0123456789ab"), new("blog", Requests.Site)]);
        var deactivated = await AkismetHttp.PostAsync(host, "/1.1/deactivate", [new("key", key), new("blog", Requests.Site)]);
        var stillValid = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("key", key), new("blog", Requests.Site)]);
        var connected = await AkismetHttp.SendAsync(host, new HttpRequestMessage(HttpMethod.Get, "/1.1/test"));

        // Assert
        var user = JsonDocument.Parse(subscription.Body).RootElement;
        Assert.Equal(("active", "self-hosted"), (user.GetProperty("status").GetString(), user.GetProperty("account_type").GetString()));
        Assert.Equal(JsonValueKind.Null, user.GetProperty("next_billing_date").ValueKind);
        Assert.False(string.IsNullOrEmpty(user.GetProperty("account_name").GetString()));
        foreach (var stats in new[] { sixMonths, all })
        {
            var totals = JsonDocument.Parse(stats.Body).RootElement;
            Assert.Equal((2L, 1L, 1L, 1L), (totals.GetProperty("spam").GetInt64(), totals.GetProperty("ham").GetInt64(),
                totals.GetProperty("missed_spam").GetInt64(), totals.GetProperty("false_positives").GetInt64()));
            Assert.Equal(33.33, totals.GetProperty("accuracy").GetDouble(), 2);
        }

        var empty = JsonDocument.Parse(otherKeysStats.Body).RootElement;
        Assert.Equal((0L, 100.0), (empty.GetProperty("spam").GetInt64(), empty.GetProperty("accuracy").GetDouble()));
        Assert.Equal("invalid", badInterval.Body);
        Assert.Contains("from", badInterval.Header("X-akismet-debug-help"), StringComparison.Ordinal);
        Assert.Equal("invalid", unknownSubscription.Body);
        Assert.Equal((HttpStatusCode.OK, "deactivated"), (deactivated.Status, deactivated.Body));
        Assert.Equal("valid", stillValid.Body);
        Assert.Equal("connected", connected.Body);
    }

    [Fact]
    public async Task KeySites_HonoursAkismetsFilter_ByPartOfTheSiteUrl()
    {
        await using var host = await StartAsync();
        var response = await new SpamGuard.Contracts.V1.ModelAdmin.ModelAdminClient(host.Channel).CreateSiteKeyAsync(
            new SpamGuard.Contracts.V1.CreateSiteKeyRequest { Sites = { Requests.Site, "https://shop.example.com/", "https://news.example.com/" } },
            SiteKeysForTests.Bearer(SiteKeysForTests.AdminKey), deadline: SpamGuardHost.Deadline);
        var key = response.Key;
        var month = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);

        var filtered = await AkismetHttp.PostAsync(host, "/1.2/key-sites", [new("api_key", key), new("filter", "example.com")]);
        var one = await AkismetHttp.PostAsync(host, "/1.2/key-sites", [new("api_key", key), new("filter", "SHOP")]);
        var none = await AkismetHttp.PostAsync(host, "/1.2/key-sites", [new("api_key", key), new("filter", "nowhere.test"), new("format", "csv")]);
        var unfiltered = await AkismetHttp.PostAsync(host, "/1.2/key-sites", [new("api_key", key)]);

        static string[] Sites(AkismetReply reply, string month) =>
            [.. JsonDocument.Parse(reply.Body).RootElement.GetProperty(month).EnumerateArray().Select(r => r.GetProperty("site").GetString()!).Order(StringComparer.Ordinal)];
        Assert.Equal(["https://news.example.com/", "https://shop.example.com/"], Sites(filtered, month));
        Assert.Equal(2, JsonDocument.Parse(filtered.Body).RootElement.GetProperty("total").GetInt32());
        Assert.Equal(["https://shop.example.com/"], Sites(one, month));
        Assert.Equal("Site,Total API Calls,Spam,Ham,Missed Spam,False Positives,Is Revoked\n", none.Body);
        Assert.Equal(3, Sites(unfiltered, month).Length);
    }

    [Fact]
    public async Task ReportOutcomes_AreSnakeCase_AsDocumented()
    {
        await using var host = await StartAsync();
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);

        var test = await AkismetHttp.PostAsync(host, "/1.1/submit-spam", [.. AkismetHttp.Comment("a test report"), new("is_test", "true"), new("api_key", key)]);
        var recorded = await AkismetHttp.PostAsync(host, "/1.1/submit-spam", [.. AkismetHttp.Comment("a real report"), new("api_key", key)]);

        Assert.Equal(("test_not_learned", "recorded"), (test.Header("X-spamguard-outcome"), recorded.Header("X-spamguard-outcome")));
    }
}
