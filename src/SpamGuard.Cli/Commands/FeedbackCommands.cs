using System.CommandLine;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Commands;

/// <summary><c>spamguard admin feedback|correct</c>: the reported examples the next retrain reads.</summary>
internal static class FeedbackCommands
{
    public static IEnumerable<Command> Create() => [Stats(), Correct()];

    private static Command Stats()
    {
        var options = new AdminOptions();
        var command = options.Command("feedback", "Show the reports the next retrain reads: totals by label and a count per UTC day.");
        command.SetAction((result, cancellationToken) => options.CallAsync(result, async (client, metadata, deadline) =>
        {
            var response = await client.GetFeedbackStatsAsync(new GetFeedbackStatsRequest(), metadata, deadline, cancellationToken);
            options.Print(result, response, () => ModelTables.WriteFeedback(ModelTables.Stdout, response));
        }));
        return command;
    }

    private static Command Correct()
    {
        var options = new AdminOptions();
        var checkId = new Argument<string>("check-id") { Description = "The check_id of the reported check." };
        var label = new Option<string?>("--label") { Description = "The label the next retrain should use: spam or ham." };
        label.AcceptOnlyFromAmong("spam", "ham");
        var delete = new Option<bool>("--delete") { Description = "Forget the report: the next retrain does not use this comment." };
        var command = options.Command("correct", "Correct the label of one check's report, or delete the report.", checkId, label, delete);
        command.SetAction(async (result, cancellationToken) =>
        {
            if ((result.GetValue(label) is null) != result.GetValue(delete))
            {
                await Console.Error.WriteLineAsync("error: give exactly one of --label and --delete.");
                return ExitCodes.BadInput;
            }

            var request = new CorrectReportRequest { CheckId = result.GetValue(checkId)! };
            if (result.GetValue(delete))
            {
                request.Delete = true;
            }
            else
            {
                request.Label = result.GetValue(label) == "spam" ? ReportedLabel.Spam : ReportedLabel.Ham;
            }

            return await options.CallAsync(result, async (client, metadata, deadline) =>
            {
                var response = await client.CorrectReportAsync(request, metadata, deadline, cancellationToken);
                options.Print(result, response, () => Console.Out.WriteLine(
                    $"changed: {response.Examples} {(response.Examples == 1 ? "example" : "examples")}"));
            });
        });
        return command;
    }
}
