using System.Diagnostics;
using System.Text.Json;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// Debian's Perl client, Net::Akismet 0.05 (libnet-akismet-perl, installed by .ci/run), run by perl against a
/// SpamGuard server on loopback (tests/perl-client/run-net-akismet.pl). The client speaks plain HTTP to
/// {key}.SERVICE_HOST; only its name resolution is pointed at 127.0.0.1, as a hosts file would.
/// </summary>
public sealed class PerlNetAkismetTests
{
    [Fact]
    public async Task NetAkismet_VerifiesReportsAndChecks_AndSeesSpamOverTheRateLimit()
    {
        // Arrange: three calls a key (the report and the first two checks), then nothing for a minute.
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={SiteKeysForTests.AdminKey}",
            "--SiteKeys:RateLimit:RequestsPerMinute=1", "--SiteKeys:RateLimit:Burst=3");
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);

        // Act
        var start = new ProcessStartInfo("perl", [RepositoryFiles.PathOf("tests", "perl-client", "run-net-akismet.pl")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["SPAMGUARD_PORT"] = host.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["SPAMGUARD_KEY"] = key,
                ["SPAMGUARD_BLOG"] = Requests.Site,
                ["SPAMGUARD_CALLS"] = "3",
            },
        };
        using var perl = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = perl.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = perl.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await perl.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            perl.Kill(entireProcessTree: true);
            throw;
        }

        // Assert: within the budget the real verdicts, past it "true" (spam), never "false" or an error.
        Assert.True(perl.ExitCode == 0, $"perl exited with {perl.ExitCode}: {await stdout} {await stderr}");
        var seen = JsonDocument.Parse(await stdout).RootElement;
        Assert.True(seen.GetProperty("verified").GetBoolean());
        Assert.True(seen.GetProperty("wrongKeyRefused").GetBoolean());
        Assert.True(seen.GetProperty("reported").GetBoolean());
        Assert.Equal(("[\"true\",\"true\",\"true\"]", "[\"false\",\"true\",\"true\"]"), (seen.GetProperty("spam").GetRawText(), seen.GetProperty("ham").GetRawText()));
    }
}
