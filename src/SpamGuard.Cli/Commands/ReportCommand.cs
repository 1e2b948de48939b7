using System.CommandLine;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Commands;

/// <summary><c>spamguard report</c>: tells a running server that an earlier check was wrong (SubmitSpam / SubmitHam).</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var server = CliOptions.Server("gRPC address of the server.", new Uri("http://127.0.0.1:50051"));
        var site = new Option<string>("--site") { Description = "The blog's URL, as sent with the check.", Required = true };
        var checkId = new Option<string>("--check-id") { Description = "The check_id of the CheckComment response.", Required = true };
        var spam = new Option<bool>("--spam") { Description = "The comment is spam the filter let through (SubmitSpam)." };
        var ham = new Option<bool>("--ham") { Description = "The comment is not spam: a false positive (SubmitHam)." };
        var timeout = CliOptions.Timeout(10);
        var json = CliOptions.Json();
        var key = CliOptions.SiteKey();
        var command = new Command("report", "Report a check as spam or ham (Akismet's submit-spam / submit-ham).")
        {
            server, site, checkId, spam, ham, timeout, json, key,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(spam) == result.GetValue(ham))
            {
                await Console.Error.WriteLineAsync("error: give exactly one of --spam and --ham.");
                return ExitCodes.BadInput;
            }

            var request = new SubmitFeedbackRequest { Site = result.GetValue(site)!, CheckId = result.GetValue(checkId)! };
            using var channel = GrpcChannel.ForAddress(result.GetValue(server)!);
            var client = new CommentFilter.CommentFilterClient(channel);
            var deadline = DateTime.UtcNow.AddSeconds(result.GetValue(timeout));
            SubmitFeedbackResponse response;
            try
            {
                var metadata = CliOptions.SiteKeyMetadata(result.GetValue(key));
                response = result.GetValue(spam)
                    ? await client.SubmitSpamAsync(request, metadata, deadline, cancellationToken)
                    : await client.SubmitHamAsync(request, metadata, deadline, cancellationToken);
            }
            catch (RpcException ex)
            {
                return await CliErrors.ReportAsync(ex);
            }

            Console.Out.WriteLine(result.GetValue(json)
                ? JsonFormatter.Default.Format(response)
                : $"{Describe(response.Outcome)} (check {response.CheckId})");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Describe(FeedbackOutcome outcome) => outcome switch
    {
        FeedbackOutcome.Recorded => "recorded: reputation and the training examples count it from now on",
        FeedbackOutcome.Repeated => "repeated: the same report was already recorded; nothing changed",
        FeedbackOutcome.Corrected => "corrected: it replaced the opposite report of this check",
        FeedbackOutcome.Queued => "queued: the reputation store is unavailable; the server applies the report when it is back",
        FeedbackOutcome.TestNotLearned => "not learned: a test comment",
        _ => outcome.ToString(),
    };
}
