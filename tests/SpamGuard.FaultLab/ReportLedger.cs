using System.Collections.Concurrent;
using Grpc.Core;
using SpamGuard.Contracts.V1;

namespace SpamGuard.FaultLab;

/// <summary>One report the server accepted (RECORDED or QUEUED): what was sent, so it can be sent again.</summary>
internal sealed record AcceptedReport(string Phase, string Key, bool Spam, SubmitFeedbackRequest Request, FeedbackOutcome Outcome);

/// <summary>
/// Every report the server accepted, and the end-of-run proof that each was applied. The public API has no read of a
/// check's report state, so the proof is the report's own idempotence: the same report sent again must answer
/// REPEATED. RECORDED means the first was lost (and is only now applied); NOT_FOUND means its check record was lost.
/// </summary>
internal sealed class ReportLedger(LabCounters counters)
{
    private readonly ConcurrentQueue<AcceptedReport> _accepted = new();

    public int Count => _accepted.Count;

    /// <summary>Sends a report and records it when accepted. Counts under "report_…".</summary>
    public async Task SubmitAsync(LabClient client, string key, bool spam, SubmitFeedbackRequest request, CancellationToken cancellationToken)
    {
        var result = await SendAsync(client, key, spam, request, TimeSpan.FromSeconds(60), cancellationToken);
        if (!result.Ok)
        {
            counters.Add(result.Status == StatusCode.NotFound ? "reports_not_found" : "reports_failed");
            return;
        }

        var outcome = result.Value!.Outcome;
        counters.Add("report_" + outcome.ToString().ToLowerInvariant());
        if (outcome is FeedbackOutcome.Recorded or FeedbackOutcome.Queued or FeedbackOutcome.Repeated)
        {
            counters.Add("reports_accepted");
            _accepted.Enqueue(new AcceptedReport(counters.Phase, key, spam, request, outcome));
        }
    }

    /// <summary>Sends every accepted report again (after Redis is back and the journal had time to replay).</summary>
    public async Task VerifyAsync(LabClient client, int parallelism, CancellationToken cancellationToken)
    {
        var lostByPhase = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(_accepted, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (report, ct) =>
        {
            var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            string verdict;
            while (true)
            {
                var result = await SendAsync(client, report.Key, report.Spam, report.Request, TimeSpan.FromSeconds(30), ct);
                verdict = result.Ok ? result.Value!.Outcome.ToString().ToLowerInvariant() : "status_" + result.Status.ToString().ToLowerInvariant();
                // QUEUED again means the store is still not answering: wait for it rather than judge.
                if (result.Value?.Outcome != FeedbackOutcome.Queued || DateTime.UtcNow > giveUp)
                {
                    break;
                }

                await Task.Delay(1000, ct);
            }

            counters.Add("verify_" + verdict);
            if (verdict != "repeated")
            {
                counters.Add("reports_lost");
                lostByPhase.AddOrUpdate($"{report.Phase} (first answer {report.Outcome.ToString().ToUpperInvariant()}, now {verdict})", 1, (_, n) => n + 1);
            }
        });
        foreach (var (where, count) in lostByPhase.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            counters.Note($"lost reports: {count} from {where}");
        }
    }

    private static Task<CallResult<SubmitFeedbackResponse>> SendAsync(LabClient client, string key, bool spam, SubmitFeedbackRequest request, TimeSpan budget, CancellationToken cancellationToken) =>
        client.CallAsync("report", options => spam ? client.Filter.SubmitSpamAsync(request, options) : client.Filter.SubmitHamAsync(request, options),
            LabClient.Bearer(key), budget, cancellationToken);
}
