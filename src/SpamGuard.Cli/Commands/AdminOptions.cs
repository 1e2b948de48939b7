using System.CommandLine;
using Google.Protobuf;
using Grpc.Core;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Commands;

/// <summary>
/// --server, --timeout and --json, which every <c>spamguard admin</c> subcommand takes, and the call through
/// <see cref="AdminCommand.CallAsync(Uri, Func{ModelAdmin.ModelAdminClient, Metadata, DateTime, Task{int}}, TimeSpan?)"/>
/// with them, so the subcommands only say what they send and print.
/// </summary>
internal sealed class AdminOptions(double timeoutSeconds = 60, double maxTimeoutSeconds = 3600, string? timeoutDescription = null, string? jsonDescription = null)
{
    public Option<Uri> Server { get; } = CliOptions.Server("gRPC address of the server.", new Uri("http://127.0.0.1:50051"));

    public Option<double> Timeout { get; } = CliOptions.Timeout(timeoutSeconds, maxTimeoutSeconds, timeoutDescription);

    public Option<bool> Json { get; } = CliOptions.Json(jsonDescription);

    /// <summary>A subcommand with the shared options followed by <paramref name="symbols"/>.</summary>
    public Command Command(string name, string description, params Symbol[] symbols)
    {
        var command = new Command(name, description) { Server, Timeout, Json };
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
                default:
                    throw new ArgumentException($"{symbol.Name} is neither an argument nor an option.", nameof(symbols));
            }
        }

        return command;
    }

    public Task<int> CallAsync(ParseResult result, Func<ModelAdmin.ModelAdminClient, Metadata, DateTime, Task<int>> call) =>
        AdminCommand.CallAsync(result.GetValue(Server)!, call, TimeSpan.FromSeconds(result.GetValue(Timeout)));

    public Task<int> CallAsync(ParseResult result, Func<ModelAdmin.ModelAdminClient, Metadata, DateTime, Task> call) =>
        AdminCommand.CallAsync(result.GetValue(Server)!, call, TimeSpan.FromSeconds(result.GetValue(Timeout)));

    /// <summary>With --json the response as protobuf JSON on one line; otherwise what <paramref name="render"/> writes for people.</summary>
    public void Print(ParseResult result, IMessage response, Action render)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(render);
        if (result.GetValue(Json))
        {
            Console.Out.WriteLine(JsonFormatter.Default.Format(response));
        }
        else
        {
            render();
        }
    }
}
