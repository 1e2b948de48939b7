using System.Diagnostics;
using System.Text.Json;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>The Akismet facade on two nodes sharing a real redis-server: keys, checks and usage are the cluster's.</summary>
public sealed class AkismetRedisTests
{
    private static Task<SpamGuardHost> StartNodeAsync(RedisServerProcess redis) =>
        SpamGuardHost.StartAsync(new KeywordTestModel(), [.. RedisNodes.PatientArgs(redis), $"--Admin:Key={SiteKeysForTests.AdminKey}"]);

    private static List<KeyValuePair<string, string>> Keyed(string content, string key)
    {
        var fields = AkismetHttp.Comment(content);
        fields.Add(new("api_key", key));
        return fields;
    }

    [Fact]
    public async Task AKeyCreatedOnOneNode_WorksOnTheOther_AndUsageAddsUpAcrossNodes()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var a = await StartNodeAsync(redis);
        await using var b = await StartNodeAsync(redis);
        var key = await SiteKeysForTests.CreateKeyAsync(a, Requests.Site);

        var verifiedOnB = await AkismetHttp.PostAsync(b, "/1.1/verify-key", [new("api_key", key), new("blog", Requests.Site)]);
        var checkOnA = await AkismetHttp.PostAsync(a, "/1.1/comment-check", Keyed("cheap pills", key));
        var reportOnB = await AkismetHttp.PostAsync(b, "/1.1/submit-ham", [.. Keyed("cheap pills", key), new("guid", checkOnA.Header("X-akismet-guid")!)]);
        var explainedOnB = await AkismetHttp.SendAsync(b, new HttpRequestMessage(HttpMethod.Get, $"/1.1/explanation/{checkOnA.Header("X-akismet-guid")}?api_key={key}"));
        await AkismetHttp.PostAsync(b, "/1.1/comment-check", Keyed("thanks, a great article", key));

        // Node A's counts reach Redis with its next flush (every 5 s); node B reads its own at once.
        var month = DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var waited = Stopwatch.StartNew();
        JsonElement row;
        do
        {
            var sites = await AkismetHttp.PostAsync(b, "/1.2/key-sites", [new("api_key", key)]);
            row = JsonDocument.Parse(sites.Body).RootElement.GetProperty(month)[0];
            if (row.GetProperty("api_calls").GetInt32() == 2)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (waited.Elapsed < TimeSpan.FromSeconds(20));

        Assert.Equal("valid", verifiedOnB.Body);
        Assert.Equal("true", checkOnA.Body);
        Assert.Equal(("recorded", AkismetRestTestsText.Thanks), (reportOnB.Header("X-spamguard-outcome"), reportOnB.Body));
        Assert.Equal(System.Net.HttpStatusCode.OK, explainedOnB.Status);
        Assert.Equal((2, 1, 1, 1), (row.GetProperty("api_calls").GetInt32(), row.GetProperty("spam").GetInt32(), row.GetProperty("ham").GetInt32(), row.GetProperty("false_positives").GetInt32()));
    }
}
