using System.Globalization;
using System.Text.Json;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// Debian's Go client, github.com/adtac/go-akismet (golang-github-adtac-go-akismet-dev, installed by .ci/run with
/// golang-go), built offline in GOPATH mode from /usr/share/gocode and run against SpamGuard over TLS on loopback
/// (tests/go-client). The package hard-codes {key}.rest.akismet.com; the recipe of docs/akismet-clients.md
/// (tests/go-client/spamguard.go, built as it is) sends it to {key}.spamguard.test, whose certificate a test CA signed.
/// Only name resolution is pointed at 127.0.0.1. The package has no verify-key call.
/// </summary>
public sealed class GoAkismetTests
{
    [Fact]
    public async Task GoAkismet_WithTheRecipe_ChecksAndReports_OverTls()
    {
        // Arrange
        using var authority = TestCertificateAuthority.Create("spamguard.test", "*.spamguard.test");
        var binary = await BuildAsync(authority.Directory);
        var (httpsPort, _) = LoopbackPorts.FreePair();
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(),
            [$"--Admin:Key={SiteKeysForTests.AdminKey}", .. authority.KestrelArgs("Https", httpsPort)]);
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);

        // Act
        var (seen, stdout) = await RunAsync(binary, authority, httpsPort, key, extraHamChecks: 0);

        // Assert: the client's own answers (Check returns (true, error) for anything but true/false) ...
        Assert.Equal("{\"spam\":true,\"error\":\"\"}", seen.GetProperty("spam").GetRawText());
        Assert.Equal("{\"spam\":false,\"error\":\"\"}", seen.GetProperty("ham").GetRawText());
        var wrongKey = seen.GetProperty("wrongKeyCheck");
        Assert.True(wrongKey.GetProperty("spam").GetBoolean());
        Assert.Equal("invalid", wrongKey.GetProperty("error").GetString());
        Assert.True(seen.TryGetProperty("reported", out var reported) && reported.GetBoolean(), stdout);

        // ... and the server's side of them (the client ignores submit-spam's answer): two checks and one report.
        var row = await AkismetHttp.KeySiteThisMonthAsync(host, key);
        Assert.Equal((2, 1, 1, 1), (row.GetProperty("api_calls").GetInt32(), row.GetProperty("spam").GetInt32(),
            row.GetProperty("ham").GetInt32(), row.GetProperty("missed_spam").GetInt32()));
    }

    [Fact]
    public async Task GoAkismet_OverTheRateLimit_SeesHamHeldAsSpam_WithoutAnError()
    {
        // Arrange: three calls a key (the two checks and the report), then nothing for a minute.
        using var authority = TestCertificateAuthority.Create("spamguard.test", "*.spamguard.test");
        var binary = await BuildAsync(authority.Directory);
        var (httpsPort, _) = LoopbackPorts.FreePair();
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(),
            [$"--Admin:Key={SiteKeysForTests.AdminKey}", .. authority.KestrelArgs("Https", httpsPort),
             "--SiteKeys:RateLimit:RequestsPerMinute=1", "--SiteKeys:RateLimit:Burst=3"]);
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);

        // Act
        var (seen, _) = await RunAsync(binary, authority, httpsPort, key, extraHamChecks: 2);

        // Assert: within the budget the real verdicts; past it (true, nil), not the (true, error) a 429 gave.
        Assert.Equal("{\"spam\":false,\"error\":\"\"}", seen.GetProperty("ham").GetRawText());
        Assert.Equal("[{\"spam\":true,\"error\":\"\"},{\"spam\":true,\"error\":\"\"}]", seen.GetProperty("extraHam").GetRawText());
    }

    /// <summary>Builds tests/go-client without network (GOPROXY=off, no modules) into <paramref name="directory"/>.</summary>
    private static async Task<string> BuildAsync(string directory)
    {
        var binary = Path.Combine(directory, "run-go-akismet");
        var goEnvironment = new Dictionary<string, string>
        {
            ["GO111MODULE"] = "off",
            ["GOPATH"] = $"/usr/share/gocode{Path.PathSeparator}{directory}",
            ["GOPROXY"] = "off",
            ["GOFLAGS"] = "",
            ["GOCACHE"] = Path.Combine(Path.GetTempPath(), "spamguard-go-build-cache"),
        };
        var build = await ClientProcess.RunAsync("go", ["build", "-o", binary, "."], RepositoryFiles.PathOf("tests", "go-client"),
            goEnvironment, TimeSpan.FromMinutes(3), "apt-get install -y golang-go golang-github-adtac-go-akismet-dev");
        Assert.True(build.ExitCode == 0, $"go build exited with {build.ExitCode}: {build.Stdout} {build.Stderr}");
        return binary;
    }

    private static async Task<(JsonElement Seen, string Stdout)> RunAsync(string binary, TestCertificateAuthority authority, int httpsPort, string key, int extraHamChecks)
    {
        var (exit, stdout, stderr) = await ClientProcess.RunAsync(binary, [], authority.Directory, new Dictionary<string, string>
        {
            ["SPAMGUARD_HOST"] = $"spamguard.test:{httpsPort.ToString(CultureInfo.InvariantCulture)}",
            ["SPAMGUARD_KEY"] = key,
            ["SPAMGUARD_BLOG"] = Requests.Site,
            ["SSL_CERT_FILE"] = authority.CaCertificatePath,
            ["SPAMGUARD_EXTRA_HAM_CHECKS"] = extraHamChecks.ToString(CultureInfo.InvariantCulture),
        }, TimeSpan.FromSeconds(60), "go build failed");
        Assert.True(exit == 0, $"the Go client exited with {exit}: {stdout} {stderr}");
        return (JsonDocument.Parse(stdout).RootElement.Clone(), stdout);
    }
}
