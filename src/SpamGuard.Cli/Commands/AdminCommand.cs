using System.CommandLine;
using Grpc.Core;
using Grpc.Net.Client;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Commands;

/// <summary><c>spamguard admin …</c>: calls to the ModelAdmin service, authenticated with the key in SPAMGUARD_ADMIN_KEY.</summary>
internal static class AdminCommand
{
    public const string KeyVariable = "SPAMGUARD_ADMIN_KEY";

    /// <summary>
    /// Far above a model zip (about 2 MB) but bounded: an upload of some huge file by mistake fails at once on this
    /// side instead of streaming it to the server first.
    /// </summary>
    private const int MaxSendMessageSize = 64 * 1024 * 1024;

    public static Command Create()
    {
        var admin = new Command("admin", $"Administer a running server (the admin key is read from the environment variable {KeyVariable}).");
        admin.Subcommands.Add(Erase());
        admin.Subcommands.Add(RetrainCommand.Create());
        foreach (var command in ModelCommands.Create().Concat(FeedbackCommands.Create()))
        {
            admin.Subcommands.Add(command);
        }

        return admin;
    }

    /// <summary>Calls ModelAdmin with the admin key from the environment; maps failures to exit codes with one line on stderr.</summary>
    public static Task<int> CallAsync(Uri server, Func<ModelAdmin.ModelAdminClient, Metadata, DateTime, Task> call, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        return CallAsync(server, async (client, metadata, deadline) =>
        {
            await call(client, metadata, deadline);
            return ExitCodes.Ok;
        }, timeout);
    }

    /// <summary>As the other overload, for calls that decide the exit code themselves (a retrain whose job failed).</summary>
    public static async Task<int> CallAsync(Uri server, Func<ModelAdmin.ModelAdminClient, Metadata, DateTime, Task<int>> call, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        var key = Environment.GetEnvironmentVariable(KeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            await Console.Error.WriteLineAsync($"error: set the admin key in the environment variable {KeyVariable}.");
            return ExitCodes.BadInput;
        }

        using var channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions { MaxSendMessageSize = MaxSendMessageSize });
        try
        {
            return await call(new ModelAdmin.ModelAdminClient(channel), CliOptions.Bearer(key), DateTime.UtcNow.Add(timeout ?? TimeSpan.FromSeconds(60)));
        }
        catch (RpcException ex)
        {
            return await CliErrors.ReportAsync(ex);
        }
    }

    private static Command Erase()
    {
        var options = new AdminOptions();
        var email = new Option<string?>("--email") { Description = "Erase everything held about this e-mail address." };
        var ip = new Option<string?>("--ip") { Description = "Erase everything held about this IP address." };
        var authorUrl = new Option<string?>("--author-url") { Description = "Erase everything held about this website." };
        var command = options.Command("erase", "Erase one person's data (reputation, check records, reported examples) and print how much each store removed.",
            email, ip, authorUrl);
        command.SetAction(async (result, cancellationToken) =>
        {
            var given = new[] { result.GetValue(email), result.GetValue(ip), result.GetValue(authorUrl) }.Count(v => v is not null);
            if (given != 1)
            {
                await Console.Error.WriteLineAsync("error: give exactly one of --email, --ip and --author-url.");
                return ExitCodes.BadInput;
            }

            var request = result.GetValue(email) is { } e ? new EraseRequest { Email = e }
                : result.GetValue(ip) is { } i ? new EraseRequest { Ip = i }
                : new EraseRequest { AuthorUrl = result.GetValue(authorUrl)! };
            return await options.CallAsync(result, async (client, metadata, deadline) =>
            {
                var response = await client.EraseAsync(request, metadata, deadline, cancellationToken);
                options.Print(result, response, () =>
                {
                    Console.Out.WriteLine(
                        $"erased: {response.ReputationEntries} reputation entries, {response.CheckRecords} check records, {response.LabelledExamples} labelled examples");
                    if (response.DiskCopies.Length > 0)
                    {
                        Console.Out.WriteLine($"on disk: {response.DiskCopies}");
                    }
                });
            });
        });
        return command;
    }
}
