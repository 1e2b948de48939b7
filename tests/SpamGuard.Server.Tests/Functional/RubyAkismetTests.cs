using System.Globalization;
using System.Text.Json;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// Debian's Ruby client, ruby-akismet 3.0.0 (the "akismet" gem, installed by .ci/run), run by ruby against SpamGuard
/// over TLS on loopback (tests/ruby-client/run-ruby-akismet.rb). The client hard-codes rest.akismet.com; the recipe
/// of docs/akismet-clients.md (tests/ruby-client/spamguard_akismet.rb, loaded as it is) sends it to
/// {key}.spamguard.test, whose certificate a test CA signed. Only name resolution is pointed at 127.0.0.1.
/// </summary>
public sealed class RubyAkismetTests
{
    [Fact]
    public async Task RubyAkismet_WithTheRecipe_VerifiesChecksAndReports_OverTls()
    {
        // Arrange
        using var authority = TestCertificateAuthority.Create("spamguard.test", "*.spamguard.test");
        var (httpsPort, _) = LoopbackPorts.FreePair();
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(),
            [$"--Admin:Key={SiteKeysForTests.AdminKey}", .. authority.KestrelArgs("Https", httpsPort)]);
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);
        Assert.Equal(12, key.Length);

        // Act
        var seen = await RunRubyAsync(authority, httpsPort, key, extraHamChecks: 0);

        // Assert: the client's own answers (check returns [spam, discard]) ...
        Assert.True(seen.GetProperty("verified").GetBoolean());
        Assert.False(seen.GetProperty("wrongKeyVerified").GetBoolean());
        Assert.Equal("[true,false]", seen.GetProperty("spam").GetRawText());
        Assert.Equal("[false,false]", seen.GetProperty("ham").GetRawText());
        Assert.True(seen.GetProperty("reported").GetBoolean());
        Assert.NotEqual("answered", seen.GetProperty("wrongKeyCheck").GetString());

        // ... and the server's side of them: two checks and one report counted for the key's site.
        var row = await AkismetHttp.KeySiteThisMonthAsync(host, key);
        Assert.Equal((2, 1, 1, 1), (row.GetProperty("api_calls").GetInt32(), row.GetProperty("spam").GetInt32(),
            row.GetProperty("ham").GetInt32(), row.GetProperty("missed_spam").GetInt32()));
    }

    [Fact]
    public async Task RubyAkismet_OverTheRateLimit_SeesHamHeldAsSpam_NeverAnError()
    {
        // Arrange: three calls a key (the two checks and the report), then nothing for a minute.
        using var authority = TestCertificateAuthority.Create("spamguard.test", "*.spamguard.test");
        var (httpsPort, _) = LoopbackPorts.FreePair();
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(),
            [$"--Admin:Key={SiteKeysForTests.AdminKey}", .. authority.KestrelArgs("Https", httpsPort),
             "--SiteKeys:RateLimit:RequestsPerMinute=1", "--SiteKeys:RateLimit:Burst=3"]);
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);

        // Act
        var seen = await RunRubyAsync(authority, httpsPort, key, extraHamChecks: 2);

        // Assert: within the budget the real verdicts; past it "spam", which the client raises on nothing.
        Assert.Equal(("[true,false]", "[false,false]", "[[true,false],[true,false]]"),
            (seen.GetProperty("spam").GetRawText(), seen.GetProperty("ham").GetRawText(), seen.GetProperty("extraHam").GetRawText()));
    }

    private static async Task<JsonElement> RunRubyAsync(TestCertificateAuthority authority, int httpsPort, string key, int extraHamChecks)
    {
        var (exit, stdout, stderr) = await ClientProcess.RunAsync("ruby", ["run-ruby-akismet.rb"], RepositoryFiles.PathOf("tests", "ruby-client"),
            new Dictionary<string, string>
            {
                ["SPAMGUARD_AKISMET_URL"] = $"https://spamguard.test:{httpsPort.ToString(CultureInfo.InvariantCulture)}",
                ["SPAMGUARD_KEY"] = key,
                ["SPAMGUARD_BLOG"] = Requests.Site,
                ["SSL_CERT_FILE"] = authority.CaCertificatePath,
                ["SPAMGUARD_EXTRA_HAM_CHECKS"] = extraHamChecks.ToString(CultureInfo.InvariantCulture),
            }, TimeSpan.FromSeconds(60), "apt-get install -y ruby-akismet");
        Assert.True(exit == 0, $"ruby exited with {exit}: {stdout} {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
