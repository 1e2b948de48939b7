using SpamGuard.Cli.Tests.Infrastructure;

namespace SpamGuard.Cli.Tests;

/// <summary>
/// The model admin subcommands refuse bad command lines and missing files before they call the server: exit code 2,
/// one line on stderr. Every run points at a closed port, so a command that did call the server would exit 3 instead.
/// </summary>
public sealed class AdminModelCommandTests : IDisposable
{
    private const string ClosedServer = "http://127.0.0.1:9";

    private static readonly Dictionary<string, string> WithKey = new() { ["SPAMGUARD_ADMIN_KEY"] = "cli-test-admin-key-long-enough" };

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("--label and --delete")]
    [InlineData("--label and --delete", "--label", "spam", "--delete")]
    [InlineData("--label", "--label", "maybe")]
    public async Task Correct_needs_exactly_one_known_change(string named, params string[] change)
    {
        var result = await RunAsync(WithKey, ["correct", "0123456789abcdef0123456789abcdef", .. change]);

        CliAssert.BadInput(result, named);
    }

    [Fact]
    public async Task Upload_of_a_missing_zip_names_it()
    {
        var zip = _directory.File("missing.zip");

        var result = await RunAsync(WithKey, ["upload", zip]);

        CliAssert.BadInput(result, "model zip not found", zip);
    }

    [Fact]
    public async Task Upload_of_a_zip_without_its_card_names_the_card()
    {
        var zip = _directory.File("model.zip");
        File.WriteAllBytes(zip, [0x50, 0x4b, 0x05, 0x06]);

        var result = await RunAsync(WithKey, ["upload", zip]);

        CliAssert.BadInput(result, "model card", _directory.File("model.json"));
    }

    [Theory]
    [InlineData("retrain")]
    [InlineData("models")]
    [InlineData("show", "spamguard-1.0.0")]
    [InlineData("activate", "spamguard-1.0.0")]
    [InlineData("rollback")]
    [InlineData("feedback")]
    [InlineData("correct", "0123456789abcdef0123456789abcdef", "--delete")]
    public async Task Every_subcommand_needs_the_admin_key(params string[] args)
    {
        // Set but empty, so a key in the environment running the tests cannot leak in.
        var result = await RunAsync(new Dictionary<string, string> { ["SPAMGUARD_ADMIN_KEY"] = "" }, args);

        CliAssert.BadInput(result, "SPAMGUARD_ADMIN_KEY");
    }

    [Theory]
    [InlineData("show")]
    [InlineData("activate")]
    [InlineData("upload")]
    [InlineData("correct", "--delete")]
    public async Task A_missing_argument_is_a_parse_error(params string[] args)
    {
        var result = await RunAsync(WithKey, args);

        CliAssert.BadInput(result);
    }

    [Theory]
    [InlineData("retrain", "0")]
    [InlineData("retrain", "1e9")]
    [InlineData("models", "-1")]
    public async Task Timeout_out_of_range_is_named(string command, string seconds)
    {
        var result = await RunAsync(WithKey, [command, "--timeout", seconds]);

        CliAssert.BadInput(result, "--timeout", "must be");
    }

    private static Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string> environment, string[] args) =>
        SpamGuardCli.RunWithEnvironmentAsync(environment, ["admin", .. args, "--server", ClosedServer]);
}
