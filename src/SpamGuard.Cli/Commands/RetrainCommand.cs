using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Spectre.Console;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Commands;

/// <summary><c>spamguard admin retrain</c>: starts (or joins) a retrain on the server, follows its progress and prints the outcome.</summary>
internal static class RetrainCommand
{
    public static Command Create()
    {
        var options = new AdminOptions(
            timeoutSeconds: 3600,
            maxTimeoutSeconds: 7 * 24 * 3600,
            timeoutDescription: "Seconds to follow the job; the job goes on on the server when this runs out or the command is stopped.",
            jsonDescription: "Print each progress message as one line of JSON (NDJSON), the last one with the result, and nothing else.");
        var noAutoPromote = new Option<bool>("--no-auto-promote") { Description = "Only store the candidate, whatever the gate says; `admin activate` makes it active later." };
        var command = options.Command("retrain", "Train a candidate model from the base corpus and every report, compare it with the active one, and promote it if it passes the gate.",
            noAutoPromote);
        command.SetAction((result, cancellationToken) => options.CallAsync(result, async (client, metadata, deadline) =>
        {
            var request = new RetrainRequest();
            if (result.GetValue(noAutoPromote))
            {
                // Unset otherwise, so the server's default (promote when the gate passes) applies.
                request.AutoPromote = false;
            }

            using var call = client.Retrain(request, metadata, deadline, cancellationToken);
            var json = result.GetValue(options.Json);
            // A live bar only on a terminal: in a file or pipe its redraws would be noise, and --json output is for programs.
            Action<RetrainProgress>? print = json ? m => Console.Out.WriteLine(JsonFormatter.Default.Format(m))
                : Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive ? PrintChanges()
                : null;
            var (last, joined) = print is null
                ? await FollowWithBarAsync(call.ResponseStream, cancellationToken)
                : await FollowAsync(call.ResponseStream, print, cancellationToken);
            return await FinishAsync(last, joined, json);
        }));
        return command;
    }

    private static async Task<(RetrainProgress? Last, bool Joined)> FollowAsync(IAsyncStreamReader<RetrainProgress> stream, Action<RetrainProgress> show, CancellationToken cancellationToken)
    {
        RetrainProgress? last = null;
        var joined = false;
        await foreach (var message in stream.ReadAllAsync(cancellationToken))
        {
            show(message);
            last = message;
            joined |= message.Joined;
        }

        return (last, joined);
    }

    private static async Task<(RetrainProgress? Last, bool Joined)> FollowWithBarAsync(IAsyncStreamReader<RetrainProgress> stream, CancellationToken cancellationToken)
    {
        (RetrainProgress?, bool) outcome = default;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("waiting for the server", maxValue: 100);
                outcome = await FollowAsync(stream, message =>
                {
                    task.Description = Markup.Escape(ProgressLines.Describe(message));
                    task.Value = ProgressLines.WholePercent(message);
                }, cancellationToken);
            });
        return outcome;
    }

    private static Action<RetrainProgress> PrintChanges()
    {
        var lines = new ProgressLines();
        return message =>
        {
            if (lines.Next(message) is { } line)
            {
                Console.Out.WriteLine(line);
            }
        };
    }

    private static async Task<int> FinishAsync(RetrainProgress? last, bool joined, bool json)
    {
        if (last is not null && !string.IsNullOrEmpty(last.Error))
        {
            await Console.Error.WriteLineAsync($"error: retrain job {last.JobId} failed: {last.Error}");
            return ExitCodes.JobFailed;
        }

        if (last?.Result is null)
        {
            await Console.Error.WriteLineAsync("error: the server ended the retrain stream without a result or an error.");
            return ExitCodes.ServerError;
        }

        if (!json)
        {
            ModelTables.WriteRetrainResult(ModelTables.Stdout, last, joined);
        }

        return ExitCodes.Ok;
    }
}

/// <summary>
/// Retrain progress as plain lines for logs and pipes, where a redrawn bar would be noise: one line when the phase
/// or the whole percent changes, e.g. <c>[ 42%] calibration fold 2/5 (1234 rows)</c>.
/// </summary>
internal sealed class ProgressLines
{
    private string? _phase;
    private int _percent = -1;

    /// <summary>The phase with the rows read so far, as both the bar and the lines show it.</summary>
    public static string Describe(RetrainProgress message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return string.Create(CultureInfo.InvariantCulture, $"{message.Phase} ({message.RowsRead} rows)");
    }

    /// <summary>The percent rounded down and kept in 0..100, so 99.6 never reads as done.</summary>
    public static int WholePercent(RetrainProgress message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return double.IsNaN(message.Percent) ? 0 : (int)Math.Floor(Math.Clamp(message.Percent, 0, 100));
    }

    /// <summary>The line to print for <paramref name="message"/>, or null when it says nothing new.</summary>
    public string? Next(RetrainProgress message)
    {
        var percent = WholePercent(message);
        if (message.Phase == _phase && percent == _percent)
        {
            return null;
        }

        _phase = message.Phase;
        _percent = percent;
        return string.Create(CultureInfo.InvariantCulture, $"[{percent,3}%] {Describe(message)}");
    }
}
