using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// The WordPress Akismet plugin (5.x) as it talks to a server, reproduced in C# from its source
/// (class.akismet.php: verify_key, http_post, auto_check_comment, submit_spam_comment; class.akismet-admin.php:
/// enter_api_key, save_key, get_akismet_user, get_stats) and sent over a real socket: its key check, and each call with
/// the plugin's headers (Host rest.akismet.com, "WordPress/x | Akismet/y", the blog's charset, HTTP/1.0) and form fields
/// (PHP's http_build_query, arrays as name[0], api_key added once the key is saved). PHP and WordPress are not run:
/// see docs/akismet-clients.md.
/// </summary>
public sealed partial class WordPressPluginCallsTests
{
    private const string UserAgent = "WordPress/6.7.1 | Akismet/5.3.5";

    /// <summary>enter_api_key: what the plugin keeps of a pasted key, then verify_key's shortcut.</summary>
    private static string? PluginKeepsKey(string pasted)
    {
        var kept = NonHex().Replace(pasted, string.Empty);
        return kept.Length == 12 ? kept : null;
    }

    [GeneratedRegex("[^a-f0-9]", RegexOptions.IgnoreCase)]
    private static partial Regex NonHex();

    /// <summary>Akismet::http_post: a form POST over HTTP/1.0 with the plugin's headers; the Host header stays
    /// rest.akismet.com when DNS (or a mu-plugin that keeps the headers) sends the call to SpamGuard.</summary>
    private static async Task<AkismetReply> PluginPostAsync(SpamGuardHost host, string path, List<KeyValuePair<string, string>> fields, string? savedKey)
    {
        if (savedKey is not null)
        {
            // add_query_arg( 'api_key', ... ) on the body.
            fields.Add(new("api_key", savedKey));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{host.HttpPort}/1.1/{path}")
        {
            Version = HttpVersion.Version10,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new FormUrlEncodedContent(fields),
        };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=UTF-8");
        request.Headers.Host = "rest.akismet.com";
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        using var client = new HttpClient { Timeout = SpamGuardHost.CallTimeout };
        using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
        var response = await client.SendAsync(request, timeout.Token);
        return new AkismetReply(response.StatusCode, await response.Content.ReadAsStringAsync(timeout.Token), response);
    }

    /// <summary>auto_check_comment's request for a comment posted through wp-comments-post.php.</summary>
    private static List<KeyValuePair<string, string>> CommentCheckFields(string author, string email, string content) =>
    [
        new("comment_post_ID", "42"),
        new("comment_author", author),
        new("comment_author_email", email),
        new("comment_author_url", ""),
        new("comment_content", content),
        new("comment_type", "comment"),
        new("comment_parent", "0"),
        new("user_ID", "0"),
        new("user_ip", "203.0.113.24"),
        new("user_agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
        new("referrer", Requests.Site + "2026/11/a-post/"),
        new("blog", Requests.Site),
        new("blog_lang", "en_US"),
        new("blog_charset", "UTF-8"),
        new("permalink", Requests.Site + "2026/11/a-post/"),
        new("akismet_comment_nonce", "passed"),
        new("POST_author", author),
        new("POST_email", email),
        new("POST_comment", content),
        new("POST_submit", "Post Comment"),
        new("POST_comment_post_ID", "42"),
        new("POST_ak_hp_textarea", ""),
        new("POST_ak_js", "1764999999999"),
        new("HTTP_HOST", "blog.example.org"),
        new("HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
        new("HTTP_ACCEPT_LANGUAGE", "en-GB,en;q=0.5"),
        new("REMOTE_ADDR", "203.0.113.24"),
        new("REQUEST_URI", "/wp-comments-post.php"),
        new("comment_post_modified_gmt", "2026-11-20 09:15:00"),
        new("comment_context[0]", "caching"),
        new("comment_context[1]", "Uncategorized"),
        new("callback", Requests.Site + "wp-json/akismet/v1/webhook"),
    ];

    [Fact]
    public async Task ThePluginsKeyCheckAndCalls_VerifySaveCheckReportAndDeactivate_AgainstSpamGuard()
    {
        // Arrange: a key as `spamguard keys create` prints it, pasted with a stray space and in capitals.
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={SiteKeysForTests.AdminKey}");
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);
        var longKey = (await new ModelAdmin.ModelAdminClient(host.Channel).CreateSiteKeyAsync(new CreateSiteKeyRequest { Sites = { Requests.Site }, Form = KeyForm.Long },
            SiteKeysForTests.Bearer(SiteKeysForTests.AdminKey), deadline: SpamGuardHost.Deadline)).Key;
        var kept = PluginKeepsKey(" " + key.ToUpperInvariant() + "\n");

        // Act: save_key (verify-key, then get-subscription), the settings page (get-stats twice), two comments,
        // a moderator's "Spam", the connectivity test, and the plugin's deactivation.
        var verify = await PluginPostAsync(host, "verify-key", [new("key", kept!), new("blog", Requests.Site)], savedKey: null);
        var subscription = await PluginPostAsync(host, "get-subscription", [new("key", kept!), new("blog", Requests.Site)], savedKey: null);
        var sixMonths = await PluginPostAsync(host, "get-stats", [new("blog", Requests.Site), new("key", kept!), new("from", "6-months")], kept);
        var ham = await PluginPostAsync(host, "comment-check", CommentCheckFields("Ada Reader", "ada@example.net", "Thanks, the caching section helped me."), kept);
        var spam = await PluginPostAsync(host, "comment-check", CommentCheckFields("viagra-test-123", "spam@example.net", "Nice post"), kept);
        var report = await PluginPostAsync(host, "submit-spam",
        [
            new("comment_ID", "7"), new("comment_post_ID", "42"), new("comment_author", "Ada Reader"), new("comment_author_email", "ada@example.net"),
            new("comment_author_url", ""), new("comment_author_IP", "203.0.113.24"), new("comment_date", "2026-12-06 04:00:00"),
            new("comment_date_gmt", "2026-12-06 04:00:00"), new("comment_content", "Thanks, the caching section helped me."), new("comment_karma", "0"),
            new("comment_approved", "spam"), new("comment_agent", "Mozilla/5.0"), new("comment_type", "comment"), new("comment_parent", "0"), new("user_id", "0"),
            new("guid", ham.Header("X-akismet-guid") ?? ""), new("blog", Requests.Site), new("blog_lang", "en_US"), new("blog_charset", "UTF-8"),
            new("permalink", Requests.Site + "2026/11/a-post/"), new("reporter", "admin"), new("user_role", ""),
            new("comment_post_modified_gmt", "2026-11-20 09:15:00"), new("comment_check_response", "false"),
        ], kept);
        var all = await PluginPostAsync(host, "get-stats", [new("blog", Requests.Site), new("key", kept!), new("from", "all")], kept);
        using var test = await host.Http.GetAsync("/1.1/test");
        var deactivate = await PluginPostAsync(host, "deactivate", [new("key", kept!), new("blog", Requests.Site)], kept);

        // Assert: the plugin keeps the key (12 hex characters), finds it valid and active, and reads every answer.
        Assert.Equal(key, kept!.ToLowerInvariant());
        Assert.Null(PluginKeepsKey(longKey));
        Assert.Equal((HttpStatusCode.OK, "valid"), (verify.Status, verify.Body));
        var user = JsonDocument.Parse(subscription.Body).RootElement;
        // save_key keeps the key only for these statuses.
        Assert.True(user.GetProperty("status").GetString() is "active" or "active-dunning" or "no-sub", subscription.Body);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(sixMonths.Body).RootElement.ValueKind);
        Assert.Equal("false", ham.Body);
        Assert.Matches("^[0-9a-f]{32}$", ham.Header("X-akismet-guid"));
        Assert.Equal("true", spam.Body);
        Assert.Equal(AkismetRestTestsText.Thanks, report.Body);
        var totals = JsonDocument.Parse(all.Body).RootElement;
        Assert.Equal((1L, 1L, 1L), (totals.GetProperty("spam").GetInt64(), totals.GetProperty("ham").GetInt64(), totals.GetProperty("missed_spam").GetInt64()));
        Assert.Equal("connected", await test.Content.ReadAsStringAsync());
        Assert.Equal("deactivated", deactivate.Body);
        Assert.All(new[] { verify, ham, spam }, reply => Assert.Null(reply.Header("X-akismet-alert-code")));
    }
}
