using System.Text.Json;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// Real npm Akismet clients (`akismet-api`, `@cedx/akismet`, and `akismet` for the rate-limit case) from the npm registry (tests/akismet-client, pinned by its lock file), run by node
/// against a SpamGuard server on loopback, as a blog that only changed Akismet's host name to SpamGuard's. The client
/// sends the key as the first label of the host name, so this also proves the legacy host form.
/// </summary>
public sealed class AkismetNodeClientTests
{
    [Fact]
    public async Task TheNpmAkismetClient_VerifiesChecksAndSubmits_AgainstSpamGuard()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={SiteKeysForTests.AdminKey}");
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);

        var (exit, stdout, stderr) = await NodeScript.RunAsync(NodeScript.ProjectDirectory("akismet-client"), "run-client.js", new Dictionary<string, string>
        {
            ["SPAMGUARD_HOST"] = $"localhost:{host.HttpPort}",
            ["SPAMGUARD_KEY"] = key,
            ["SPAMGUARD_BLOG"] = Requests.Site,
        }, TimeSpan.FromSeconds(60));

        Assert.True(exit == 0, $"node exited with {exit}: {stdout} {stderr}");
        var seen = JsonDocument.Parse(stdout).RootElement;
        Assert.True(seen.GetProperty("verifyKey").GetBoolean());
        Assert.False(seen.GetProperty("verifyWrongKey").GetBoolean());
        Assert.False(string.IsNullOrEmpty(seen.GetProperty("verifyWrongKeyHelp").GetString()));
        Assert.False(seen.GetProperty("ham").GetBoolean());
        Assert.Matches("^[0-9a-f]{32}$", seen.GetProperty("hamGuid").GetString());
        Assert.True(seen.GetProperty("spam").GetBoolean());
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("spamProTip").ValueKind);
        Assert.True(seen.GetProperty("blatant").GetBoolean());
        Assert.Equal("discard", seen.GetProperty("blatantProTip").GetString());
        Assert.Equal("Invalid API key", seen.GetProperty("wrongKeyCheck").GetString());
        Assert.Equal(AkismetRestTestsText.Thanks, seen.GetProperty("submitSpam").GetString());
        Assert.Equal(AkismetRestTestsText.Thanks, seen.GetProperty("submitHam").GetString());
        Assert.Contains("{key}.localhost", seen.GetProperty("hostsSeen").EnumerateArray().Select(h => h.GetString()));

        // The server's side of the same calls: three checks and two reports counted for the key's site.
        var row = await AkismetHttp.KeySiteThisMonthAsync(host, key);
        Assert.Equal((3, 2, 1, 1, 1), (row.GetProperty("api_calls").GetInt32(), row.GetProperty("spam").GetInt32(), row.GetProperty("ham").GetInt32(),
            row.GetProperty("missed_spam").GetInt32(), row.GetProperty("false_positives").GetInt32()));
    }

    [Fact]
    public async Task CedxAkismet_WithOnlyItsBaseUrlChanged_VerifiesChecksAndSubmits()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={SiteKeysForTests.AdminKey}");
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);

        var (exit, stdout, stderr) = await NodeScript.RunAsync(NodeScript.ProjectDirectory("akismet-client"), "run-cedx.mjs", new Dictionary<string, string>
        {
            ["SPAMGUARD_URL"] = $"http://127.0.0.1:{host.HttpPort}/",
            ["SPAMGUARD_KEY"] = key,
            ["SPAMGUARD_BLOG"] = Requests.Site,
        }, TimeSpan.FromSeconds(60));

        Assert.True(exit == 0, $"node exited with {exit}: {stdout} {stderr}");
        var seen = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(12, key.Length);
        Assert.True(seen.GetProperty("verifyKey").GetBoolean());
        Assert.False(seen.GetProperty("verifyWrongKey").GetBoolean());
        Assert.Equal("ham", seen.GetProperty("ham").GetString());
        Assert.Equal("spam", seen.GetProperty("spam").GetString());
        Assert.Equal("accepted", seen.GetProperty("submitSpam").GetString());
        Assert.Equal("accepted", seen.GetProperty("submitHam").GetString());
    }

    [Fact]
    public async Task TwoNpmAkismetClients_OverTheRateLimit_HoldEveryCommentAsSpam_NeverHam()
    {
        // Arrange: two checks a key, then nothing for a minute.
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={SiteKeysForTests.AdminKey}",
            "--SiteKeys:RateLimit:RequestsPerMinute=1", "--SiteKeys:RateLimit:Burst=2");
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);
        var key2 = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);

        // Act
        var (exit, stdout, stderr) = await NodeScript.RunAsync(NodeScript.ProjectDirectory("akismet-client"), "run-rate-limited.js", new Dictionary<string, string>
        {
            ["SPAMGUARD_HOST"] = $"localhost:{host.HttpPort}",
            ["SPAMGUARD_KEY"] = key,
            ["SPAMGUARD_KEY_2"] = key2,
            ["SPAMGUARD_BLOG"] = Requests.Site,
            ["SPAMGUARD_CALLS"] = "3",
        }, TimeSpan.FromSeconds(60));

        // Assert: within the budget the real verdicts; past it every comment is "spam" to both clients (the
        // guaranteed-spam author included, which akismet 2.0.7 used to see as ham once 429s began), with the alert.
        Assert.True(exit == 0, $"node exited with {exit}: {stdout} {stderr}");
        var seen = JsonDocument.Parse(stdout).RootElement;
        foreach (var client in new[] { "api", "plain" })
        {
            var answers = seen.GetProperty(client);
            // Raw JSON, so an error string a client returned shows in the failure.
            Assert.Equal((client, "true", "[true,true,true]", "[false,true,true]"),
                (client, answers.GetProperty("verifyKey").GetRawText(), answers.GetProperty("spam").GetRawText(), answers.GetProperty("ham").GetRawText()));
        }

        Assert.Equal([null, null, "42901", "42901", "42901", "42901"], seen.GetProperty("api").GetProperty("alertCodes").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal([null, null, "rate-limited", "rate-limited", "rate-limited", "rate-limited"], seen.GetProperty("api").GetProperty("unscored").EnumerateArray().Select(a => a.GetString()));
    }
}
