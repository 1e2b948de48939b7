using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary><c>spamguard check</c> (and <c>bench --server</c>) against the real server binary running as a child process.</summary>
public sealed partial class CheckCommandTests(TinyModelServerFixture fixture) : IClassFixture<TinyModelServerFixture>
{
    private const string SpamText = "WINNER!! Buy cheap viagra online at http://pills-shop.example/order now, best price guaranteed!!! Call 09061701461";

    private const string HamText = "Thanks for this post about garbage collection, it helped me understand the details much better.";

    private static readonly string[] SpamVerdicts = ["VERDICT_SPAM", "VERDICT_DISCARD"];

    private ServerProcess Server => fixture.Server;

    [Fact]
    public async Task Server_process_answers_healthz_with_the_tiny_model()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri($"{Server.HttpAddress}/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("serving", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(TinyModel.ModelVersion, body.RootElement.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Check_accepts_a_server_address()
    {
        var result = await SpamGuardCli.RunAsync("check", "--server", Server.GrpcAddress, "--content", HamText, "--json");

        Assert.DoesNotContain("Cannot parse argument", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
    }

    [Fact]
    public async Task Check_json_gives_spam_or_discard_for_spam()
    {
        using var json = await CheckJsonAsync(SpamText);
        var root = json.RootElement;

        Assert.Contains(root.GetProperty("verdict").GetString(), SpamVerdicts);
        Assert.InRange(root.GetProperty("spamProbability").GetDouble(), root.GetProperty("thresholds").GetProperty("spam").GetDouble(), 1.0);
        Assert.Equal(TinyModel.ModelVersion, root.GetProperty("modelVersion").GetString());
        Assert.NotEmpty(root.GetProperty("explanation").GetProperty("signals").EnumerateArray());
    }

    [Fact]
    public async Task Check_json_gives_ham_for_ham()
    {
        using var json = await CheckJsonAsync(HamText);
        var root = json.RootElement;

        Assert.Equal("VERDICT_HAM", root.GetProperty("verdict").GetString());
        Assert.InRange(root.GetProperty("spamProbability").GetDouble(), 0.0, root.GetProperty("thresholds").GetProperty("spam").GetDouble());
    }

    [Fact]
    public async Task Check_without_json_prints_the_summary_and_a_signals_table()
    {
        using var json = await CheckJsonAsync(HamText);
        var explanation = json.RootElement.GetProperty("explanation");
        var result = await SpamGuardCli.RunAsync("check", "--server", Server.GrpcAddress, "--content", HamText);

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        // Spectre wraps long lines at 80 columns when stdout is not a terminal: compare with whitespace collapsed.
        var text = Whitespace().Replace(result.StdOut, " ");
        Assert.Contains(Whitespace().Replace(explanation.GetProperty("summary").GetString()!, " "), text, StringComparison.Ordinal);
        Assert.Contains($"model {TinyModel.ModelVersion}", text, StringComparison.Ordinal);
        Assert.Contains("spam probability", text, StringComparison.Ordinal);
        Assert.Matches(@"signal\s*│\s*kind\s*│\s*weight\s*│\s*evidence", result.StdOut);
        Assert.Contains(explanation.GetProperty("signals")[0].GetProperty("name").GetString()!, result.StdOut, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(result.StdOut).Dispose());
    }

    [Fact]
    public async Task Check_json_prints_every_response_field_even_at_its_default_value()
    {
        using var json = await CheckJsonAsync(HamText);
        var root = json.RootElement;

        // proto3 JSON leaves out fields at their default (false, 0, empty) unless asked: a script reading
        // reputationAvailable must find false, not nothing.
        foreach (var field in SpamGuard.Contracts.V1.CheckCommentResponse.Descriptor.Fields.InDeclarationOrder())
        {
            Assert.True(root.TryGetProperty(field.JsonName, out _), $"missing '{field.JsonName}' in {root}");
        }

        foreach (var field in SpamGuard.Contracts.V1.Explanation.Descriptor.Fields.InDeclarationOrder())
        {
            Assert.True(root.GetProperty("explanation").TryGetProperty(field.JsonName, out _), $"missing 'explanation.{field.JsonName}' in {root}");
        }
    }

    [Fact]
    public async Task Check_without_a_comment_text_exits_2_instead_of_scoring_an_empty_comment()
    {
        var result = await SpamGuardCli.RunAsync("check", "--server", Server.GrpcAddress, "--author", "Someone", "--json");
        var both = await SpamGuardCli.RunAsync("check", "--server", Server.GrpcAddress, "--content", HamText, "--content-file", "-");

        Assert.True(result.ExitCode == SpamGuardCli.BadInput, result.ToString());
        Assert.Contains("--content", result.StdErr, StringComparison.Ordinal);
        Assert.True(string.IsNullOrWhiteSpace(result.StdOut), result.ToString());
        Assert.True(both.ExitCode == SpamGuardCli.BadInput, both.ToString());
    }

    [Fact]
    public async Task Check_reads_the_comment_text_from_standard_input_with_content_file_dash()
    {
        using var direct = await CheckJsonAsync(SpamText);
        var piped = await SpamGuardCli.RunWithInputAsync(SpamText, "check", "--server", Server.GrpcAddress, "--content-file", "-", "--json");

        Assert.True(piped.ExitCode == SpamGuardCli.Ok, piped.ToString());
        using var json = JsonDocument.Parse(piped.StdOut);
        Assert.Equal(direct.RootElement.GetProperty("verdict").GetString(), json.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(direct.RootElement.GetProperty("spamProbability").GetDouble(), json.RootElement.GetProperty("spamProbability").GetDouble(), 9);
    }

    [Fact]
    public async Task Check_with_an_invalid_ip_exits_2_and_names_user_ip()
    {
        var result = await SpamGuardCli.RunAsync("check", "--server", Server.GrpcAddress, "--content", HamText, "--ip", "1.2.3", "--json");

        Assert.True(result.ExitCode == SpamGuardCli.BadInput, result.ToString());
        Assert.Contains("InvalidArgument", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("user_ip", result.StdErr, StringComparison.Ordinal);
        Assert.True(string.IsNullOrWhiteSpace(result.StdOut), result.ToString());
    }

    [Fact]
    public async Task Check_against_a_port_with_no_server_exits_3_quickly()
    {
        var (port, _) = LoopbackPorts.FreePair();
        var result = await SpamGuardCli.RunAsync("check", "--server", $"http://127.0.0.1:{port}", "--content", HamText, "--timeout", "5");

        Assert.True(result.ExitCode == SpamGuardCli.ServerError, result.ToString());
        Assert.StartsWith("error: ", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(15), result.ToString());
    }

    [Fact]
    public async Task Bench_over_grpc_reports_throughput_without_failures()
    {
        using var directory = new TempDirectory();
        var data = FixtureCorpus.WriteJsonl(directory.Path);
        var result = await SpamGuardCli.RunAsync("bench", "--data", data, "--server", Server.GrpcAddress,
            "--runs", "1", "--requests", "200", "--concurrency", "4", "--json");

        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        using var json = JsonDocument.Parse(result.StdOut);
        var grpc = json.RootElement.GetProperty("grpc");
        Assert.Equal(0, grpc.GetProperty("failed").GetDouble());
        Assert.True(grpc.GetProperty("median_requests_per_second").GetDouble() > 0, result.StdOut);
    }

    [Fact]
    public async Task Report_records_then_repeats_then_corrects_a_check_made_with_check()
    {
        using var check = await CheckJsonAsync("A comment to be reported " + Guid.NewGuid());
        var id = check.RootElement.GetProperty("checkId").GetString()!;
        string[] report = ["report", "--server", Server.GrpcAddress, "--site", "http://localhost/", "--check-id", id];

        var spam = await SpamGuardCli.RunAsync([.. report, "--spam"]);
        var again = await SpamGuardCli.RunAsync([.. report, "--spam", "--json"]);
        var ham = await SpamGuardCli.RunAsync([.. report, "--ham"]);

        Assert.True(spam.ExitCode == SpamGuardCli.Ok, spam.ToString());
        Assert.StartsWith("recorded:", spam.StdOut, StringComparison.Ordinal);
        using var repeated = JsonDocument.Parse(again.StdOut);
        Assert.Equal("FEEDBACK_OUTCOME_REPEATED", repeated.RootElement.GetProperty("outcome").GetString());
        Assert.StartsWith("corrected:", ham.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_of_an_unknown_check_exits_4_and_bad_input_exits_2()
    {
        var unknown = await SpamGuardCli.RunAsync("report", "--server", Server.GrpcAddress, "--site", "http://localhost/", "--check-id", "0123456789abcdef0123456789abcdef", "--spam");
        var malformed = await SpamGuardCli.RunAsync("report", "--server", Server.GrpcAddress, "--site", "http://localhost/", "--check-id", "nope", "--ham");
        var both = await SpamGuardCli.RunAsync("report", "--server", Server.GrpcAddress, "--site", "http://localhost/", "--check-id", "0123456789abcdef0123456789abcdef", "--spam", "--ham");

        Assert.True(unknown.ExitCode == SpamGuardCli.NotFound, unknown.ToString());
        Assert.Contains("NotFound", unknown.StdErr, StringComparison.Ordinal);
        Assert.True(malformed.ExitCode == SpamGuardCli.BadInput, malformed.ToString());
        Assert.Contains("check_id", malformed.StdErr, StringComparison.Ordinal);
        Assert.True(both.ExitCode == SpamGuardCli.BadInput, both.ToString());
    }

    [Fact]
    public async Task Admin_erase_removes_a_persons_data_with_the_key_from_the_environment()
    {
        var check = await SpamGuardCli.RunAsync("check", "--server", Server.GrpcAddress, "--content", "cheap pills " + Guid.NewGuid(), "--email", "erase.me@example.net", "--json");
        Assert.True(check.ExitCode == SpamGuardCli.Ok, check.ToString());
        var key = new Dictionary<string, string> { ["SPAMGUARD_ADMIN_KEY"] = TinyModelServerFixture.AdminKey };

        var erased = await SpamGuardCli.RunWithEnvironmentAsync(key, "admin", "erase", "--server", Server.GrpcAddress, "--email", "Erase.Me@example.net", "--json");
        var withoutKey = await SpamGuardCli.RunAsync("admin", "erase", "--server", Server.GrpcAddress, "--email", "erase.me@example.net");
        var wrongKey = await SpamGuardCli.RunWithEnvironmentAsync(new Dictionary<string, string> { ["SPAMGUARD_ADMIN_KEY"] = "not-the-key-at-all-but-long" },
            "admin", "erase", "--server", Server.GrpcAddress, "--email", "erase.me@example.net");

        Assert.True(erased.ExitCode == SpamGuardCli.Ok, erased.ToString());
        using var json = JsonDocument.Parse(erased.StdOut);
        Assert.Equal("1", json.RootElement.GetProperty("reputationEntries").GetString());
        Assert.Equal("1", json.RootElement.GetProperty("checkRecords").GetString());
        Assert.True(withoutKey.ExitCode == SpamGuardCli.BadInput, withoutKey.ToString());
        Assert.Contains("SPAMGUARD_ADMIN_KEY", withoutKey.StdErr, StringComparison.Ordinal);
        Assert.True(wrongKey.ExitCode == SpamGuardCli.ServerError, wrongKey.ToString());
        Assert.Contains("Unauthenticated", wrongKey.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_create_list_revoke_through_the_cli()
    {
        // Its own server: once a key exists, that server wants keys for every check.
        using var server = await ServerProcess.StartAsync(TinyModel.ZipPath, $"--Admin:Key={TinyModelServerFixture.AdminKey}");
        var key = new Dictionary<string, string> { ["SPAMGUARD_ADMIN_KEY"] = TinyModelServerFixture.AdminKey };
        var site = $"https://{Guid.NewGuid():N}.example/";
        var empty = await SpamGuardCli.RunWithEnvironmentAsync(key, "keys", "list", "--server", server.GrpcAddress);
        Assert.True(empty.ExitCode == SpamGuardCli.Ok, empty.ToString());
        Assert.StartsWith("no site keys", empty.StdOut, StringComparison.Ordinal);

        var created = await SpamGuardCli.RunWithEnvironmentAsync(key, "keys", "create", "--server", server.GrpcAddress, "--site", site, "--json");
        Assert.True(created.ExitCode == SpamGuardCli.Ok, created.ToString());
        using var json = JsonDocument.Parse(created.StdOut);
        var id = json.RootElement.GetProperty("info").GetProperty("id").GetString()!;
        var shortText = await SpamGuardCli.RunWithEnvironmentAsync(key, "keys", "create", "--server", server.GrpcAddress, "--site", site);
        var longText = await SpamGuardCli.RunWithEnvironmentAsync(key, "keys", "create", "--server", server.GrpcAddress, "--site", site, "--long");
        var listed = await SpamGuardCli.RunWithEnvironmentAsync(key, "keys", "list", "--server", server.GrpcAddress);
        var keyed = await SpamGuardCli.RunAsync("check", "--server", server.GrpcAddress, "--site", site, "--content", "hi", "--key", json.RootElement.GetProperty("key").GetString()!);
        var keyless = await SpamGuardCli.RunAsync("check", "--server", server.GrpcAddress, "--site", site, "--content", "hi");
        Assert.True(keyed.ExitCode == SpamGuardCli.Ok, keyed.ToString());
        Assert.True(keyless.ExitCode == SpamGuardCli.ServerError, keyless.ToString());
        var revoked = await SpamGuardCli.RunWithEnvironmentAsync(key, "keys", "revoke", "--server", server.GrpcAddress, id);
        var revokedJson = await SpamGuardCli.RunWithEnvironmentAsync(key, "keys", "revoke", "--server", server.GrpcAddress, id, "--json");
        var unknown = await SpamGuardCli.RunWithEnvironmentAsync(key, "keys", "revoke", "--server", server.GrpcAddress, "000000000000");

        // Akismet's shape by default (the WordPress plugin refuses any other length); --long for 256 bits.
        Assert.Matches("^[0-9a-f]{12}$", json.RootElement.GetProperty("key").GetString());
        Assert.Matches("^key [0-9a-f]{12}$", shortText.StdOut.Split('\n')[0].TrimEnd());
        Assert.Matches("^key sg[a-z2-7]{52}$", longText.StdOut.Split('\n')[0].TrimEnd());
        Assert.Contains(id, listed.StdOut, StringComparison.Ordinal);
        Assert.Contains(site, listed.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain(json.RootElement.GetProperty("key").GetString()!, listed.StdOut, StringComparison.Ordinal);
        Assert.Equal($"revoked {id}", revoked.StdOut.Trim());
        Assert.True(revokedJson.ExitCode == SpamGuardCli.Ok, revokedJson.ToString());
        using (var again = JsonDocument.Parse(revokedJson.StdOut))
        {
            Assert.Equal(id, again.RootElement.GetProperty("info").GetProperty("id").GetString());
        }

        // The server now wants keys; the revoked one is refused, and check exits 3 with the status.
        var refused = await SpamGuardCli.RunAsync("check", "--server", server.GrpcAddress, "--site", site, "--content", "hi", "--key", json.RootElement.GetProperty("key").GetString()!);
        Assert.True(refused.ExitCode == SpamGuardCli.ServerError, refused.ToString());
        Assert.Contains("Unauthenticated", refused.StdErr, StringComparison.Ordinal);
        Assert.True(unknown.ExitCode == SpamGuardCli.NotFound, unknown.ToString());
    }

    private async Task<JsonDocument> CheckJsonAsync(string content)
    {
        var result = await SpamGuardCli.RunAsync("check", "--server", Server.GrpcAddress, "--content", content, "--json");
        Assert.True(result.ExitCode == SpamGuardCli.Ok, result.ToString());
        Assert.Single(result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return JsonDocument.Parse(result.StdOut);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
