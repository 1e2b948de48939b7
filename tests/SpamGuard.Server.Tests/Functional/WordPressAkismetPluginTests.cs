using System.Globalization;
using System.Text.Json;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// WordPress itself (Debian's wordpress 6.1, with its bundled Akismet plugin 5.0.2) on php-cli and a throwaway MariaDB,
/// pointed at SpamGuard over TLS by the mu-plugin of docs/akismet-clients.md (tests/wordpress/spamguard-akismet.php,
/// used as it is). tests/wordpress/run-wordpress.php installs WordPress with wp_install, activates the plugin, and
/// drives the plugin's own code: Akismet::verify_key and Akismet_Admin::save_key (the 12-character check, verify-key,
/// get-subscription), wp_new_comment (its comment-check filter), wp_spam_comment and wp_unspam_comment as a moderator
/// (submit-spam, submit-ham), the settings page's connectivity check (GET /1.1/test) and stats (get-stats), and
/// deactivate_plugins (deactivate).
/// </summary>
public sealed class WordPressAkismetPluginTests
{
    private const string WordPressDirectory = "/usr/share/wordpress";
    private const string InstallHint = "apt-get install -y wordpress php-cli mariadb-server";

    [SkippableFact]
    public async Task WordPressAkismetPlugin_WithTheMuPlugin_MakesEveryCallAgainstSpamGuard()
    {
        // Act
        var seen = await RunWordPressAsync("run");

        // Assert: what the plugin concluded from SpamGuard's answers, as WordPress stored it.
        Assert.Equal(("valid", "invalid", seen.GetProperty("key").GetString()),
            (seen.GetProperty("verifyKey").GetString(), seen.GetProperty("verifyWrongKey").GetString(), seen.GetProperty("savedKey").GetString()));
        var spam = seen.GetProperty("spam");
        Assert.Equal(("spam", "true", "[\"check-spam\"]"), (spam.GetProperty("approved").GetString(), spam.GetProperty("result").GetString(), spam.GetProperty("history").GetRawText()));
        var ham = seen.GetProperty("ham");
        Assert.NotEqual("spam", ham.GetProperty("approved").GetString());
        Assert.Equal(("false", "[\"check-ham\"]"), (ham.GetProperty("result").GetString(), ham.GetProperty("history").GetRawText()));
        Assert.Equal((AkismetRestTestsText.Thanks, "true"), (seen.GetProperty("submitSpam").GetProperty("answer").GetString(), seen.GetProperty("reportedResult").GetString()));
        Assert.Equal((AkismetRestTestsText.Thanks, "false"), (seen.GetProperty("submitHam").GetProperty("answer").GetString(), seen.GetProperty("freedResult").GetString()));

        // Settings → Akismet's connectivity check and stats page, and the deactivation hook.
        Assert.True(seen.GetProperty("connected").GetBoolean());
        var stats = seen.GetProperty("stats");
        Assert.Equal((1, 1, 1, 1), (stats.GetProperty("spam").GetInt32(), stats.GetProperty("ham").GetInt32(),
            stats.GetProperty("missed_spam").GetInt32(), stats.GetProperty("false_positives").GetInt32()));
        Assert.False(seen.GetProperty("activeAfterDeactivation").GetBoolean());

        // Every call went to SpamGuard and was answered 200, in the order the plugin made them.
        Assert.Equal(
            [("/1.1/verify-key", "200"), ("/1.1/verify-key", "200"), ("/1.1/verify-key", "200"), ("/1.1/get-subscription", "200"),
             ("/1.1/comment-check", "200"), ("/1.1/comment-check", "200"), ("/1.1/submit-spam", "200"), ("/1.1/submit-ham", "200"),
             ("/1.1/test", "200"), ("/1.1/get-stats", "200"), ("/1.1/get-stats", "200"), ("/1.1/deactivate", "200")],
            Calls(seen));
        Assert.Equal("deactivated", seen.GetProperty("calls")[11].GetProperty("body").GetString());
    }

    [SkippableFact]
    public async Task WordPressAkismetPlugin_OverTheRateLimit_HoldsTheCommentAsSpam_AndShowsTheAlert()
    {
        // Act: a budget of one check for the key, then two ham comments.
        var seen = await RunWordPressAsync("rate-limited", "--SiteKeys:RateLimit:RequestsPerMinute=1", "--SiteKeys:RateLimit:Burst=1");

        // Assert: the first is scored (ham); the second, unscored, is held in the spam folder, never published, and
        // the plugin keeps SpamGuard's alert for its settings page.
        var first = seen.GetProperty("first");
        Assert.Equal("false", first.GetProperty("result").GetString());
        Assert.NotEqual("spam", first.GetProperty("approved").GetString());
        var second = seen.GetProperty("second");
        Assert.Equal(("spam", "true"), (second.GetProperty("approved").GetString(), second.GetProperty("result").GetString()));
        Assert.Equal("42901", seen.GetProperty("alertCode").GetString());
        Assert.False(string.IsNullOrEmpty(seen.GetProperty("alertMsg").GetString()));
        Assert.Equal([("/1.1/comment-check", "200"), ("/1.1/comment-check", "200")], Calls(seen));
    }

    private static List<(string?, string)> Calls(JsonElement seen) =>
        seen.GetProperty("calls").EnumerateArray().Select(c => (c.GetProperty("path").GetString(), c.GetProperty("status").GetRawText())).ToList();

    /// <summary>Starts MariaDB and SpamGuard (over TLS), installs WordPress with the mu-plugins, runs
    /// <c>run-wordpress.php step</c>, and returns what it printed, with the key it was given as "key".</summary>
    private static async Task<JsonElement> RunWordPressAsync(string step, params string[] serverArgs)
    {
        var installed = ClientProcess.IsInstalled("php") && MariaDbServerProcess.IsInstalled
            && File.Exists(Path.Combine(WordPressDirectory, "wp-content", "plugins", "akismet", "akismet.php"));
        // In CI the packages are installed by .ci/run, so missing ones fail the test there instead of skipping it.
        Skip.If(!installed && Environment.GetEnvironmentVariable("CI") != "true",
            $"WordPress, php-cli or MariaDB is not installed ({InstallHint}); CI (CI=true) runs this test.");
        Assert.True(installed, $"WordPress, php-cli or MariaDB is missing in CI ({InstallHint}).");

        // MariaDB, SpamGuard over TLS, and WordPress's mu-plugins (the recipe, and the test's offline switch).
        await using var database = await MariaDbServerProcess.StartAsync("wordpress");
        using var authority = TestCertificateAuthority.Create("127.0.0.1");
        var (httpsPort, _) = LoopbackPorts.FreePair();
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(),
            [$"--Admin:Key={SiteKeysForTests.AdminKey}", .. authority.KestrelArgs("Https", httpsPort), .. serverArgs]);
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);
        var muPlugins = Directory.CreateDirectory(Path.Combine(database.Directory, "mu-plugins")).FullName;
        foreach (var file in new[] { "spamguard-akismet.php", "test-environment.php" })
        {
            File.Copy(RepositoryFiles.PathOf("tests", "wordpress", file), Path.Combine(muPlugins, file));
        }

        var environment = new Dictionary<string, string>
        {
            ["WORDPRESS_DIR"] = WordPressDirectory,
            ["WORDPRESS_MU_PLUGINS"] = muPlugins,
            ["WORDPRESS_DB_SOCKET"] = database.SocketPath,
            ["SPAMGUARD_AKISMET_URL"] = $"https://127.0.0.1:{httpsPort.ToString(CultureInfo.InvariantCulture)}",
            ["SPAMGUARD_CA_FILE"] = authority.CaCertificatePath,
            ["SPAMGUARD_KEY"] = key,
        };
        var script = RepositoryFiles.PathOf("tests", "wordpress", "run-wordpress.php");
        var install = await ClientProcess.RunAsync("php", [script, "install"], database.Directory, environment, TimeSpan.FromSeconds(120), InstallHint);
        Assert.True(install.ExitCode == 0, $"installing WordPress failed ({install.ExitCode}): {install.Stdout} {install.Stderr}");

        var (exit, stdout, stderr) = await ClientProcess.RunAsync("php", [script, step], database.Directory, environment, TimeSpan.FromSeconds(120), InstallHint);
        Assert.True(exit == 0, $"php exited with {exit}: {stdout} {stderr}");
        using var document = JsonDocument.Parse(stdout);
        var seen = JsonSerializer.SerializeToNode(document.RootElement)!.AsObject();
        seen["key"] = key;
        return JsonSerializer.SerializeToElement(seen);
    }
}
