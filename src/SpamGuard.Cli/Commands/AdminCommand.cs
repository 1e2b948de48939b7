using System.CommandLine;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Commands;

/// <summary><c>spamguard admin …</c>: calls to the ModelAdmin service, authenticated with the key in SPAMGUARD_ADMIN_KEY.</summary>
internal static class AdminCommand
{
    public const string KeyVariable = "SPAMGUARD_ADMIN_KEY";

    public static Command Create()
    {
        var admin = new Command("admin", $"Administer a running server (the admin key is read from the environment variable {KeyVariable}).");
        admin.Subcommands.Add(Erase());
        return admin;
    }

    /// <summary>Calls ModelAdmin with the admin key from the environment; maps failures to exit codes with one line on stderr.</summary>
    public static async Task<int> CallAsync(Uri server, Func<ModelAdmin.ModelAdminClient, Metadata, DateTime, Task> call, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        var key = Environment.GetEnvironmentVariable(KeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            await Console.Error.WriteLineAsync($"error: set the admin key in the environment variable {KeyVariable}.");
            return ExitCodes.BadInput;
        }

        using var channel = GrpcChannel.ForAddress(server);
        try
        {
            await call(new ModelAdmin.ModelAdminClient(channel), CliOptions.Bearer(key), DateTime.UtcNow.Add(timeout ?? TimeSpan.FromSeconds(60)));
            return ExitCodes.Ok;
        }
        catch (RpcException ex)
        {
            return await CliErrors.ReportAsync(ex);
        }
    }

    private static Command Erase()
    {
        var server = CliOptions.Server("gRPC address of the server.", new Uri("http://127.0.0.1:50051"));
        var email = new Option<string?>("--email") { Description = "Erase everything held about this e-mail address." };
        var ip = new Option<string?>("--ip") { Description = "Erase everything held about this IP address." };
        var authorUrl = new Option<string?>("--author-url") { Description = "Erase everything held about this website." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the server.", DefaultValueFactory = _ => 60 }.InRange(0.0, 3600.0, exclusive: true);
        var json = CliOptions.Json();
        var command = new Command("erase", "Erase one person's data (reputation, check records, reported examples) and print how much each store removed.")
        {
            server, email, ip, authorUrl, timeout, json,
        };
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
            return await CallAsync(result.GetValue(server)!, async (client, metadata, deadline) =>
            {
                var response = await client.EraseAsync(request, metadata, deadline, cancellationToken);
                Console.Out.WriteLine(result.GetValue(json)
                    ? JsonFormatter.Default.Format(response)
                    : $"erased: {response.ReputationEntries} reputation entries, {response.CheckRecords} check records, {response.LabelledExamples} labelled examples");
            }, TimeSpan.FromSeconds(result.GetValue(timeout)));
        });
        return command;
    }
}
