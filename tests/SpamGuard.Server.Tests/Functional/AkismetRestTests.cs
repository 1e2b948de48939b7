using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>The Akismet REST facade over a real socket with a real HttpClient, against Akismet's documented answers.</summary>
public sealed class AkismetRestTests
{
    private const string AdminKey = SiteKeysForTests.AdminKey;
    private const string OtherSite = SiteKeysForTests.OtherSite;
    private const string Discardable = "viagra casino pills cheap";

    private static Metadata Bearer(string key) => SiteKeysForTests.Bearer(key);

    private static Task<string> CreateKeyAsync(SpamGuardHost host, string site) => SiteKeysForTests.CreateKeyAsync(host, site);

    private static Task<SpamGuardHost> StartAsync(params string[] args) =>
        SpamGuardHost.StartAsync(new KeywordTestModel(), [$"--Admin:Key={AdminKey}", .. args]);

    private static List<KeyValuePair<string, string>> With(List<KeyValuePair<string, string>> fields, string name, string value)
    {
        fields.Add(new(name, value));
        return fields;
    }

    [Fact]
    public async Task VerifyKey_IsValidForTheKeysBlog_InEveryFormClientsSendTheKey()
    {
        await using var host = await StartAsync();
        var beforeAnyKey = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("key", "sgwhatever"), new("blog", Requests.Site)]);
        var key = await CreateKeyAsync(host, Requests.Site);

        var byApiKey = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("api_key", key), new("blog", Requests.Site)]);
        var byKey = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("key", key), new("blog", Requests.Site)]);
        var byHost = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("blog", Requests.Site)], hostName: key + ".rest.example");
        var byUpperCaseHost = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("blog", Requests.Site)], hostName: key.ToUpperInvariant() + ".rest.example");
        var unknown = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("api_key", "sg" + new string('a', 52)), new("blog", Requests.Site)]);
        var missing = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("blog", Requests.Site)]);
        var otherBlog = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("api_key", key), new("blog", OtherSite)]);

        Assert.Equal("invalid", beforeAnyKey.Body);
        Assert.Contains("keys create", beforeAnyKey.Header("X-akismet-debug-help"), StringComparison.Ordinal);
        Assert.All(new[] { byApiKey, byKey, byHost, byUpperCaseHost }, reply => Assert.Equal((HttpStatusCode.OK, "valid"), (reply.Status, reply.Body)));
        Assert.All(new[] { unknown, missing, otherBlog }, reply =>
        {
            Assert.Equal((HttpStatusCode.OK, "invalid"), (reply.Status, reply.Body));
            Assert.False(string.IsNullOrEmpty(reply.Header("X-akismet-debug-help")));
        });
    }

    [Fact]
    public async Task ARevokedKey_IsInvalidForEveryCall()
    {
        await using var host = await StartAsync();
        var key = await CreateKeyAsync(host, Requests.Site);
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);
        var before = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment("cheap pills"), "api_key", key));
        var id = Assert.Single((await admin.ListSiteKeysAsync(new ListSiteKeysRequest(), Bearer(AdminKey), deadline: SpamGuardHost.Deadline)).Keys).Id;
        await admin.RevokeSiteKeyAsync(new RevokeSiteKeyRequest { Id = id }, Bearer(AdminKey), deadline: SpamGuardHost.Deadline);

        var replies = new[]
        {
            await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("api_key", key), new("blog", Requests.Site)]),
            await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment("cheap pills"), "api_key", key)),
            await AkismetHttp.PostAsync(host, "/1.1/submit-spam", With(With(AkismetHttp.Comment("cheap pills"), "guid", before.Header("X-akismet-guid")!), "api_key", key)),
            await AkismetHttp.PostAsync(host, "/1.2/usage-limit", [new("api_key", key)]),
            await ExplanationAsync(host, before.Header("X-akismet-guid")!, key),
        };

        Assert.Equal("true", before.Body);
        Assert.All(replies, reply => Assert.Equal((HttpStatusCode.OK, "invalid"), (reply.Status, reply.Body)));
    }

    [Fact]
    public async Task CommentCheck_AnswersTrueFalseAndDiscard_WithTheGuid()
    {
        await using var host = await StartAsync();
        var key = await CreateKeyAsync(host, Requests.Site);

        var ham = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment("thanks, a great article"), "api_key", key));
        var spam = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment("cheap pills"), "key", key));
        var discard = await AkismetHttp.PostAsync(host, "/1.1/comment-check", AkismetHttp.Comment(Discardable), hostName: key + ".rest.example");

        Assert.Equal(("false", null), (ham.Body, ham.Header("X-akismet-pro-tip")));
        Assert.Equal(("true", null), (spam.Body, spam.Header("X-akismet-pro-tip")));
        Assert.Equal(("true", "discard"), (discard.Body, discard.Header("X-akismet-pro-tip")));
        Assert.All(new[] { ham, spam, discard }, reply => Assert.Matches("^[0-9a-f]{32}$", reply.Header("X-akismet-guid")));
    }

    [Fact]
    public async Task TestTriggers_BehaveAsAkismetDocuments()
    {
        await using var host = await StartAsync();
        var key = await CreateKeyAsync(host, Requests.Site);
        var author = AkismetHttp.Comment("thanks, a great article");
        author[6] = new("comment_author", "viagra-test-123");
        var email = AkismetHttp.Comment("thanks, a great article");
        email[7] = new("comment_author_email", "akismet-guaranteed-spam@example.com");

        var byAuthor = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(author, "api_key", key));
        var byEmail = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(email, "api_key", key));
        var administrator = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(With(AkismetHttp.Comment(Discardable), "user_role", "administrator"), "api_key", key));
        var test = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(With(AkismetHttp.Comment("cheap pills"), "is_test", "1"), "api_key", key));
        var testExplanation = await ExplanationAsync(host, test.Header("X-akismet-guid")!, key);

        Assert.Equal(("true", null), (byAuthor.Body, byAuthor.Header("X-akismet-pro-tip")));
        Assert.Equal(("true", null), (byEmail.Body, byEmail.Header("X-akismet-pro-tip")));
        Assert.Equal("false", administrator.Body);
        Assert.Equal("true", test.Body);
        // is_test: nothing is kept, so the guid leads nowhere.
        Assert.Equal(HttpStatusCode.NotFound, testExplanation.Status);
    }

    [Fact]
    public async Task GrpcAndRest_GiveTheSameVerdictAndProbability_ForTheSameComment()
    {
        await using var host = await StartAsync();
        var key = await CreateKeyAsync(host, Requests.Site);
        var grpc = new CommentFilter.CommentFilterClient(host.Channel);

        foreach (var content in new[] { "thanks, a great article", "cheap pills", Discardable, "an interesting read with http://shop.example/ and casino" })
        {
            var viaGrpc = await grpc.CheckCommentAsync(new CheckCommentRequest
            {
                Site = Requests.Site, UserIp = "203.0.113.9", UserAgent = "Mozilla/5.0 (X11; Linux x86_64)", Referrer = "https://search.example/",
                Permalink = "https://blog.example.org/2026/11/a-post", CommentType = CommentType.Comment, Author = "Sam Reader",
                AuthorEmail = "sam@example.net", Content = content, IsTest = true,
            }, Bearer(key), deadline: SpamGuardHost.Deadline);
            var viaRest = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment(content), "api_key", key));
            var explained = JsonDocument.Parse((await ExplanationAsync(host, viaRest.Header("X-akismet-guid")!, key)).Body).RootElement;

            Assert.Equal(viaGrpc.Verdict == Verdict.Ham ? "false" : "true", viaRest.Body);
            Assert.Equal(viaGrpc.Verdict == Verdict.Discard, viaRest.Header("X-akismet-pro-tip") == "discard");
            Assert.Equal(viaGrpc.Verdict.ToString(), ProtoVerdict(explained.GetProperty("verdict").GetString()!));
            Assert.Equal(viaGrpc.SpamProbability, explained.GetProperty("spam_probability").GetDouble(), 12);
        }
    }

    [Fact]
    public async Task Explanation_IsJsonByGuid_ForTheKeysSiteOnly()
    {
        await using var host = await StartAsync();
        var key = await CreateKeyAsync(host, Requests.Site);
        var otherKey = await CreateKeyAsync(host, OtherSite);
        var check = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment("cheap pills at http://pills.example/"), "api_key", key));
        var guid = check.Header("X-akismet-guid")!;

        var mine = await ExplanationAsync(host, guid, key);
        var byBearer = await AkismetHttp.SendAsync(host, new HttpRequestMessage(HttpMethod.Get, $"/1.1/explanation/{guid}") { Headers = { { "Authorization", "Bearer " + key } } });
        var others = await ExplanationAsync(host, guid, otherKey);
        var none = await AkismetHttp.SendAsync(host, new HttpRequestMessage(HttpMethod.Get, $"/1.1/explanation/{guid}"));
        var unknown = await ExplanationAsync(host, new string('0', 32), key);
        var malformed = await ExplanationAsync(host, "not-a-guid", key);

        Assert.Equal(HttpStatusCode.OK, mine.Status);
        var json = JsonDocument.Parse(mine.Body).RootElement;
        Assert.Equal(guid, json.GetProperty("check_id").GetString());
        Assert.Equal("VERDICT_SPAM", json.GetProperty("verdict").GetString());
        var explanation = json.GetProperty("explanation");
        Assert.StartsWith("Spam", explanation.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains(explanation.GetProperty("signals").EnumerateArray(), s => s.GetProperty("evidence").GetString() == "pills");
        Assert.Contains(explanation.GetProperty("processing").EnumerateArray(), p => p.GetProperty("field").GetString() == "user_ip");
        Assert.Equal(mine.Body, byBearer.Body);
        // Another site's check looks like an unknown one; without a valid key, no id gets an answer.
        Assert.Equal((unknown.Status, unknown.Body), (others.Status, others.Body));
        Assert.Equal("invalid", none.Body);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.NotFound, malformed.Status);
    }

    [Fact]
    public async Task Explanation_WithoutAValidKey_AnswersTheSameForKnownAndUnknownIds()
    {
        // Arrange
        await using var host = await StartAsync();
        var key = await CreateKeyAsync(host, Requests.Site);
        var check = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment("cheap pills"), "api_key", key));
        var known = check.Header("X-akismet-guid")!;
        var unknown = new string('0', 32);

        foreach (var query in new[] { "", "?api_key=sgnotavalidkeyatall0000000000000", $"?api_key={key}x" })
        {
            // Act
            var a = await AkismetHttp.SendAsync(host, new HttpRequestMessage(HttpMethod.Get, $"/1.1/explanation/{known}{query}"));
            var b = await AkismetHttp.SendAsync(host, new HttpRequestMessage(HttpMethod.Get, $"/1.1/explanation/{unknown}{query}"));

            // Assert
            Assert.Equal((a.Status, a.Body, a.Header("X-akismet-debug-help")), (b.Status, b.Body, b.Header("X-akismet-debug-help")));
            Assert.Equal("invalid", a.Body);
        }
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task BearerScheme_IsCaseInsensitive_ForGrpcAdminAndRestCalls(string scheme)
    {
        await using var host = await StartAsync();
        var key = await CreateKeyAsync(host, Requests.Site);

        var keys = await new ModelAdmin.ModelAdminClient(host.Channel).ListSiteKeysAsync(
            new ListSiteKeysRequest(), new Metadata { { "authorization", $"{scheme} {AdminKey}" } }, deadline: SpamGuardHost.Deadline);
        var usage = await AkismetHttp.SendAsync(host, new HttpRequestMessage(HttpMethod.Get, "/1.2/usage-limit") { Headers = { { "Authorization", $"{scheme} {key}" } } });
        var check = await new CommentFilter.CommentFilterClient(host.Channel).CheckCommentAsync(
            Requests.WithContent("a kind word"), new Metadata { { "authorization", $"{scheme} {key}" } }, deadline: SpamGuardHost.Deadline);

        Assert.Single(keys.Keys);
        Assert.Equal(HttpStatusCode.OK, usage.Status);
        Assert.Contains("\"limit\"", usage.Body, StringComparison.Ordinal);
        Assert.NotEmpty(check.CheckId);
    }

    [Fact]
    public async Task SubmitSpamAndHam_ThankTheClient_ByGuidOrByTheCommentAgain()
    {
        await using var host = await StartAsync();
        var key = await CreateKeyAsync(host, Requests.Site);
        var otherKey = await CreateKeyAsync(host, OtherSite);
        var check = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment("a perfectly nice comment"), "api_key", key));
        var guid = check.Header("X-akismet-guid")!;

        var spam = await AkismetHttp.PostAsync(host, "/1.1/submit-spam", With(With(AkismetHttp.Comment("a perfectly nice comment"), "guid", guid), "api_key", key));
        var again = await AkismetHttp.PostAsync(host, "/1.1/submit-spam", With(With(AkismetHttp.Comment("a perfectly nice comment"), "guid", guid), "api_key", key));
        var ham = await AkismetHttp.PostAsync(host, "/1.1/submit-ham", AkismetHttp.Comment("cheap pills, but from a friend"), hostName: key + ".rest.example");
        var expiredGuid = await AkismetHttp.PostAsync(host, "/1.1/submit-spam", With(With(AkismetHttp.Comment("sent again after expiry"), "guid", new string('1', 32)), "api_key", key));
        var guidOnly = await AkismetHttp.PostAsync(host, "/1.1/submit-spam", [new("blog", Requests.Site), new("guid", new string('1', 32)), new("api_key", key)]);
        var foreign = await AkismetHttp.PostAsync(host, "/1.1/submit-ham", [new("blog", OtherSite), new("guid", guid), new("api_key", otherKey)]);
        var noKey = await AkismetHttp.PostAsync(host, "/1.1/submit-ham", AkismetHttp.Comment("no key at all"));

        Assert.All(new[] { spam, again, ham, expiredGuid }, reply => Assert.Equal((HttpStatusCode.OK, AkismetRestTestsText.Thanks), (reply.Status, reply.Body)));
        Assert.Equal(("recorded", "repeated", "recorded", "recorded"),
            (spam.Header("X-spamguard-outcome"), again.Header("X-spamguard-outcome"), ham.Header("X-spamguard-outcome"), expiredGuid.Header("X-spamguard-outcome")));
        Assert.Equal(guid, spam.Header("X-akismet-guid"));
        Assert.All(new[] { guidOnly, foreign, noKey }, reply =>
        {
            Assert.Equal("invalid", reply.Body);
            Assert.False(string.IsNullOrEmpty(reply.Header("X-akismet-debug-help")));
        });
    }

    [Fact]
    public async Task KeySitesAndUsageLimit_CountTheKeysCallsPerSite()
    {
        await using var host = await StartAsync();
        var key = await CreateKeyAsync(host, Requests.Site);
        foreach (var content in new[] { "thanks, a great article", "cheap pills", Discardable })
        {
            await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment(content), "api_key", key));
        }

        await new CommentFilter.CommentFilterClient(host.Channel).CheckCommentAsync(Requests.WithContent("interesting"), Bearer(key), deadline: SpamGuardHost.Deadline);
        await AkismetHttp.PostAsync(host, "/1.1/submit-spam", With(AkismetHttp.Comment("slipped through"), "api_key", key));
        await AkismetHttp.PostAsync(host, "/1.1/submit-ham", With(AkismetHttp.Comment("cheap pills"), "api_key", key));

        var sites = await AkismetHttp.PostAsync(host, "/1.2/key-sites", [new("api_key", key)]);
        var usage = await AkismetHttp.PostAsync(host, "/1.2/usage-limit", [new("api_key", key)]);
        var csv = await AkismetHttp.PostAsync(host, "/1.2/key-sites", [new("api_key", key), new("format", "csv")]);
        var badMonth = await AkismetHttp.PostAsync(host, "/1.2/key-sites", [new("api_key", key), new("month", "November")]);
        var lastYear = await AkismetHttp.PostAsync(host, "/1.2/key-sites", [new("api_key", key), new("month", "2025-11")]);
        var unknown = await AkismetHttp.PostAsync(host, "/1.2/usage-limit", [new("api_key", "nope")]);

        var month = DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var row = Assert.Single(JsonDocument.Parse(sites.Body).RootElement.GetProperty(month).EnumerateArray());
        Assert.Equal(Requests.Site, row.GetProperty("site").GetString());
        Assert.Equal((4, 2, 2, 1, 1), (row.GetProperty("api_calls").GetInt32(), row.GetProperty("spam").GetInt32(), row.GetProperty("ham").GetInt32(),
            row.GetProperty("missed_spam").GetInt32(), row.GetProperty("false_positives").GetInt32()));
        var limit = JsonDocument.Parse(usage.Body).RootElement;
        Assert.Equal(("none", 4, false), (limit.GetProperty("limit").GetString(), limit.GetProperty("usage").GetInt32(), limit.GetProperty("throttled").GetBoolean()));
        Assert.Contains($"{Requests.Site},4,2,2,1,1,false", csv.Body, StringComparison.Ordinal);
        Assert.Equal("invalid", badMonth.Body);
        Assert.Equal(0, Assert.Single(JsonDocument.Parse(lastYear.Body).RootElement.GetProperty("2025-11").EnumerateArray()).GetProperty("api_calls").GetInt32());
        Assert.Equal("invalid", unknown.Body);
    }

    [Fact]
    public async Task RateLimit_HoldsRestChecksSpamSideWithAlertHeaders_AndGrpcAnswersResourceExhausted_PerKey()
    {
        await using var host = await StartAsync("--SiteKeys:RateLimit:RequestsPerMinute=1", "--SiteKeys:RateLimit:Burst=2");
        var key = await CreateKeyAsync(host, Requests.Site);
        var otherKey = await CreateKeyAsync(host, Requests.Site);
        var grpc = new CommentFilter.CommentFilterClient(host.Channel);

        var first = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment("one"), "api_key", key));
        await grpc.CheckCommentAsync(Requests.WithContent("two"), Bearer(key), deadline: SpamGuardHost.Deadline);
        var limited = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment("thanks, a great article"), "api_key", key));
        var limitedSpam = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment(Discardable), "api_key", key));
        var limitedGrpc = await Assert.ThrowsAsync<RpcException>(() => grpc.CheckCommentAsync(Requests.WithContent("four"), Bearer(key), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var verify = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("key", key), new("blog", Requests.Site)]);
        var other = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment("five"), "api_key", otherKey));
        var usage = JsonDocument.Parse((await AkismetHttp.PostAsync(host, "/1.2/usage-limit", [new("api_key", key)])).Body).RootElement;

        Assert.Equal((HttpStatusCode.OK, "false"), (first.Status, first.Body));
        // Over the limit nothing is scored and nothing is published unseen: "true" (held as spam), never "false" and
        // never a 429 that clients turn into ham; no discard tip, so a person sees it; Akismet's alert headers say why.
        Assert.All(new[] { limited, limitedSpam }, reply =>
        {
            Assert.Equal((HttpStatusCode.OK, "true"), (reply.Status, reply.Body));
            Assert.Null(reply.Header("X-akismet-pro-tip"));
            Assert.Null(reply.Header("X-akismet-guid"));
            Assert.Equal("42901", reply.Header("X-akismet-alert-code"));
            Assert.Contains("rate limit", reply.Header("X-akismet-alert-msg"), StringComparison.Ordinal);
            Assert.Equal("rate-limited", reply.Header("X-spamguard-unscored"));
            Assert.True(int.Parse(reply.Response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        });
        Assert.Equal(StatusCode.ResourceExhausted, limitedGrpc.StatusCode);
        Assert.True(limitedGrpc.GetRpcStatus()!.GetDetail<Google.Rpc.RetryInfo>()!.RetryDelay.ToTimeSpan() > TimeSpan.Zero);
        // The plugin re-verifies the key to see whether the alert still stands.
        Assert.Equal(("valid", "42901"), (verify.Body, verify.Header("X-akismet-alert-code")));
        Assert.Equal((HttpStatusCode.OK, "false"), (other.Status, other.Body));
        Assert.Null(other.Header("X-akismet-alert-code"));
        Assert.True(usage.GetProperty("throttled").GetBoolean());
    }

    [Fact]
    public async Task BadInput_IsInvalidWithADebugHeader_NeverAServerError()
    {
        await using var host = await StartAsync("--Scoring:MaxContentBytes=1000");
        var key = await CreateKeyAsync(host, Requests.Site);

        var json = await AkismetHttp.SendAsync(host, new HttpRequestMessage(HttpMethod.Post, "/1.1/comment-check")
        {
            Content = new StringContent($$"""{"api_key":"{{key}}","blog":"{{Requests.Site}}"}""", Encoding.UTF8, "application/json"),
        });
        var noBody = await AkismetHttp.SendAsync(host, new HttpRequestMessage(HttpMethod.Post, "/1.1/comment-check"));
        var garbage = await AkismetHttp.SendAsync(host, new HttpRequestMessage(HttpMethod.Post, "/1.1/comment-check")
        {
            Content = new ByteArrayContent([0xff, 0xfe, 0x00, 0x25, 0x7a, 0x7a, 0x3d, 0x26, 0x3d]) { Headers = { { "Content-Type", "application/x-www-form-urlencoded" } } },
        });
        var oversizedField = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment(new string('x', 1001)), "api_key", key));
        var oversizedBody = await AkismetHttp.PostAsync(host, "/1.1/comment-check", With(AkismetHttp.Comment("x"), "filler", new string('y', 200_000)));
        var badFields = await AkismetHttp.PostAsync(host, "/1.1/comment-check",
            [new("api_key", key), new("blog", "not a url"), new("user_ip", "999.1.1.1"), new("comment_author_email", "two@at@signs"), new("comment_date_gmt", "yesterday")]);
        var extras = await AkismetHttp.PostAsync(host, "/1.1/comment-check",
            With(With(With(AkismetHttp.Comment("thanks, a great article"), "comment_parent", "12"), "HTTP_ACCEPT", "text/html"), "api_key", key));
        var get = await AkismetHttp.SendAsync(host, new HttpRequestMessage(HttpMethod.Get, "/1.1/comment-check"));

        Assert.All(new[] { json, noBody, garbage, oversizedField, oversizedBody, badFields, get }, reply =>
        {
            Assert.Equal((HttpStatusCode.OK, "invalid"), (reply.Status, reply.Body));
            Assert.False(string.IsNullOrEmpty(reply.Header("X-akismet-debug-help")));
        });
        Assert.Contains("comment_content", oversizedField.Header("X-akismet-debug-help"), StringComparison.Ordinal);
        var help = badFields.Header("X-akismet-debug-help")!;
        foreach (var field in new[] { "blog", "user_ip", "comment_author_email", "comment_date_gmt" })
        {
            Assert.Contains(field, help, StringComparison.Ordinal);
        }

        Assert.Equal("false", extras.Body);
        Assert.Contains("POST", get.Header("X-akismet-debug-help"), StringComparison.Ordinal);
    }

    private static Task<AkismetReply> ExplanationAsync(SpamGuardHost host, string guid, string key) =>
        AkismetHttp.SendAsync(host, new HttpRequestMessage(HttpMethod.Get, $"/1.1/explanation/{guid}?api_key={key}"));

    private static string ProtoVerdict(string json) => json switch
    {
        "VERDICT_HAM" => nameof(Verdict.Ham),
        "VERDICT_SPAM" => nameof(Verdict.Spam),
        "VERDICT_DISCARD" => nameof(Verdict.Discard),
        _ => json,
    };
}

internal static class AkismetRestTestsText
{
    public const string Thanks = "Thanks for making the web a better place.";
}
