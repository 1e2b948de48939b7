using System.Text.Json;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// The real `akismet-api` client from the npm registry (tests/akismet-client, pinned by its lock file), run by node
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
        var sites = await AkismetHttp.PostAsync(host, "/1.2/key-sites", [new("api_key", key)]);
        var row = JsonDocument.Parse(sites.Body).RootElement.GetProperty(DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture))[0];
        Assert.Equal((3, 2, 1, 1, 1), (row.GetProperty("api_calls").GetInt32(), row.GetProperty("spam").GetInt32(), row.GetProperty("ham").GetInt32(),
            row.GetProperty("missed_spam").GetInt32(), row.GetProperty("false_positives").GetInt32()));
    }
}
