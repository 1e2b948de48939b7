// Checks one comment with SpamGuard over gRPC, as a blog engine does when a comment is posted, and reports it back
// when the moderator disagrees. Usage:
//
//   dotnet run -- [grpc-address] [comment text]
//
// The address defaults to http://127.0.0.1:50051 (cleartext HTTP/2; use https://… behind TLS). A site key, once
// keys exist on the server, comes from the SPAMGUARD_KEY environment variable.
using Grpc.Core;
using Grpc.Net.Client;
using SpamGuard.Contracts.V1;

var address = args.Length > 0 ? args[0] : "http://127.0.0.1:50051";
var text = args.Length > 1 ? args[1] : "WINNER!! Claim your free prize now, call 09061701461";
const string Site = "https://blog.example/";

// One channel per process: it pools the HTTP/2 connection. Make it once and share it.
using var channel = GrpcChannel.ForAddress(address);
var client = new CommentFilter.CommentFilterClient(channel);

var headers = new Metadata();
if (Environment.GetEnvironmentVariable("SPAMGUARD_KEY") is { Length: > 0 } key)
{
    headers.Add("authorization", $"Bearer {key}");
}

try
{
    // A deadline on every call: a comment form must not hang because the filter is slow or away.
    var check = await client.CheckCommentAsync(
        new CheckCommentRequest
        {
            Site = Site,
            UserIp = "203.0.113.7",
            UserAgent = "Mozilla/5.0 (X11; Linux x86_64)",
            Permalink = Site + "2026/12/hello-world/",
            CommentType = CommentType.Comment,
            Author = "Prize Team",
            AuthorEmail = "winner@prizes.example",
            Content = text,
        },
        headers,
        deadline: DateTime.UtcNow.AddSeconds(5));

    // Ham: publish. Spam: hold for moderation. Discard: blatant spam, safe to drop unseen.
    Console.WriteLine($"verdict: {check.Verdict}");
    Console.WriteLine($"spam probability: {check.SpamProbability:0.0000}");
    Console.WriteLine($"summary: {check.Explanation.Summary}");
    Console.WriteLine($"check id: {check.CheckId}");

    // The moderator disagreed: report the check by its id; the server uses what it stored for that check.
    var report = new SubmitFeedbackRequest { Site = Site, CheckId = check.CheckId };
    var outcome = check.Verdict == Verdict.Ham
        ? await client.SubmitSpamAsync(report, headers, deadline: DateTime.UtcNow.AddSeconds(5))
        : await client.SubmitHamAsync(report, headers, deadline: DateTime.UtcNow.AddSeconds(5));
    Console.WriteLine($"report: {outcome.Outcome}");
    return 0;
}
catch (RpcException ex)
{
    // Fail open in a real blog: hold the comment for moderation rather than lose it. Unavailable/DeadlineExceeded
    // are worth a retry later; InvalidArgument names the field that was wrong.
    Console.Error.WriteLine($"SpamGuard call failed: {ex.StatusCode}: {ex.Status.Detail}");
    return 1;
}
