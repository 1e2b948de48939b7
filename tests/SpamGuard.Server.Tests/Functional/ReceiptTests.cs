using System.Diagnostics;
using System.Net;
using System.Text.Json;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>Receipts over a real HTTP client for checks made over real gRPC: the same data as the response, no raw personal data, gone with the record.</summary>
public sealed class ReceiptTests
{
    private static async Task<CheckCommentResponse> CheckAsync(SpamGuardHost host, bool isTest = false)
    {
        var request = Requests.Complete("Write to jane@example.net, cheap pills at https://shop.example/");
        request.IsTest = isTest;
        return await new CommentFilter.CommentFilterClient(host.Channel).CheckCommentAsync(request, deadline: SpamGuardHost.Deadline);
    }

    private static Task<HttpResponseMessage> GetAsync(SpamGuardHost host, string path) => host.Http.GetAsync(new Uri(path, UriKind.Relative));

    private static async Task AssertReceiptMatchesAsync(SpamGuardHost host, CheckCommentResponse check)
    {
        using var json = JsonDocument.Parse(await host.Http.GetStringAsync(new Uri($"/privacy/receipt/{check.CheckId}.json", UriKind.Relative)));
        var receipt = json.RootElement;
        Assert.Equal(check.CheckId, receipt.GetProperty("check_id").GetString());
        Assert.Equal(check.ModelVersion, receipt.GetProperty("model_version").GetString());
        Assert.Equal(check.SpamProbability, receipt.GetProperty("spam_probability").GetDouble(), 12);
        var entries = receipt.GetProperty("processing").EnumerateArray().ToList();
        Assert.Equal(check.Explanation.Processing.Count, entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var wire = check.Explanation.Processing[i];
            Assert.Equal(wire.Field, entries[i].GetProperty("field").GetString());
            Assert.Equal(wire.Purpose, entries[i].GetProperty("purpose").GetString());
            Assert.Equal(wire.RetentionSeconds, entries[i].GetProperty("retention_seconds").GetInt64());
            Assert.Equal(wire.Pseudonyms, entries[i].GetProperty("pseudonyms").EnumerateArray().Select(p => p.GetString()));
        }
    }

    [Fact]
    public async Task Receipt_ShowsTheResponsesVerdictAndProcessing_WithoutRawPersonalData()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel());
        var check = await CheckAsync(host);

        await AssertReceiptMatchesAsync(host, check);
        var page = await GetAsync(host, $"/privacy/receipt/{check.CheckId}");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("default-src 'none'", string.Join(";", page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Contains(check.CheckId, html, StringComparison.Ordinal);
        Assert.Contains(check.Explanation.Processing.Single(p => p.Field == "user_ip").Pseudonyms[0], html, StringComparison.Ordinal);
        foreach (var raw in new[] { "203.0.113.7", "jane@example.net", "Jane Doe", "jane.example.net" })
        {
            Assert.DoesNotContain(raw, html, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task UnknownMalformedAndTestCallIds_AreTheSame404()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel());
        var test = await CheckAsync(host, isTest: true);

        var bodies = new List<string>();
        foreach (var id in new[] { "0123456789abcdef0123456789abcdef", "not-an-id", test.CheckId, "0123456789abcdef0123456789abcdef.json" })
        {
            var response = await GetAsync(host, "/privacy/receipt/" + id);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(bodies[0], bodies[1]);
        Assert.Equal(bodies[0], bodies[2]);
        Assert.Contains("expired", bodies[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownIds_TakeAsLongAsKnownOnes_WithinNoise()
    {
        // Both paths do one store read and render a page; a gross difference (say a store read skipped for unknown
        // ids) would show as a factor, which is what this guards against. Both paths are warmed up first and then
        // timed alternately, so JIT and a busy machine weigh on both alike; medians of many requests, loose bound.
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel());
        var known = (await CheckAsync(host)).CheckId;
        const string unknown = "fedcba9876543210fedcba9876543210";
        async Task<double> TimeAsync(string id)
        {
            var watch = Stopwatch.StartNew();
            using var _ = await GetAsync(host, "/privacy/receipt/" + id);
            return watch.Elapsed.TotalMilliseconds;
        }

        for (var i = 0; i < 10; i++)
        {
            await TimeAsync(known);
            await TimeAsync(unknown);
        }

        var knownTimes = new List<double>();
        var unknownTimes = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            knownTimes.Add(await TimeAsync(known));
            unknownTimes.Add(await TimeAsync(unknown));
        }

        var knownMs = knownTimes.Order().ElementAt(knownTimes.Count / 2);
        var unknownMs = unknownTimes.Order().ElementAt(unknownTimes.Count / 2);

        Assert.InRange(unknownMs / knownMs, 0.2, 5.0);
    }

    [Fact]
    public async Task Receipt_ExpiresWithTheCheckRecord()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), "--Feedback:CheckRetentionDays=0.00002");
        var check = await CheckAsync(host);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(host, $"/privacy/receipt/{check.CheckId}")).StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(host, $"/privacy/receipt/{check.CheckId}")).StatusCode);
    }

    [Fact]
    public async Task InRedisMode_TheReceiptIsServedByAnyNode()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var a = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Redis:Configuration={redis.Endpoint}", "--Privacy:PseudonymSecret=" + Convert.ToBase64String(new byte[32]), "--Redis:Resilience:TimeoutMilliseconds=2000");
        await using var b = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Redis:Configuration={redis.Endpoint}", "--Privacy:PseudonymSecret=" + Convert.ToBase64String(new byte[32]), "--Redis:Resilience:TimeoutMilliseconds=2000");
        var check = await CheckAsync(a);

        await AssertReceiptMatchesAsync(b, check);
    }
}
