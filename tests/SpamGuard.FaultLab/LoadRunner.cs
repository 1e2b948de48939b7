using System.Collections.Concurrent;
using SpamGuard.Contracts.V1;

namespace SpamGuard.FaultLab;

/// <summary>A site of the lab: its URL and its site key.</summary>
internal sealed record LabSite(string Url, string Key);

/// <summary>
/// Steady load: one caller per site, together at the configured rate, each check a new comment. A sample of the
/// answered checks is reported (SubmitSpam/SubmitHam, by check id or by the full comment) into the ledger.
/// </summary>
internal sealed class LoadRunner(LabClient client, IReadOnlyList<LabSite> sites, CommentFactory comments, ReportLedger ledger, LabCounters counters, LabOptions options)
{
    private readonly ConcurrentDictionary<string, byte> _checkIds = new(StringComparer.Ordinal);

    /// <summary>Runs the callers until <paramref name="stop"/> is cancelled; in-flight calls finish first.</summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken abort)
    {
        var interval = TimeSpan.FromSeconds(sites.Count / (double)options.ChecksPerSecond);
        await Task.WhenAll(sites.Select((site, index) => Task.Run(() => CallerAsync(site, interval, index, stop, abort), abort)));
    }

    private async Task CallerAsync(LabSite site, TimeSpan interval, int index, CancellationToken stop, CancellationToken abort)
    {
        var next = DateTime.UtcNow + (interval * index / sites.Count);
        while (!stop.IsCancellationRequested)
        {
            var wait = next - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            next += interval;
            if (next < DateTime.UtcNow - TimeSpan.FromSeconds(1))
            {
                // Fell behind (a restart gap): do not burst to catch up.
                next = DateTime.UtcNow;
            }

            await OneCheckAsync(site, abort);
        }
    }

    private async Task OneCheckAsync(LabSite site, CancellationToken abort)
    {
        var (request, spam) = comments.Next(site.Url);
        counters.Add("checks");
        var result = await client.CallAsync("check", o => client.Filter.CheckCommentAsync(request, o), LabClient.Bearer(site.Key), TimeSpan.FromSeconds(60), abort);
        if (!result.Ok)
        {
            counters.Add("checks_failed");
            return;
        }

        var response = result.Value!;
        counters.Add("checks_ok");
        if (!response.ReputationAvailable)
        {
            counters.Add("checks_without_reputation");
        }

        if (!_checkIds.TryAdd(response.CheckId, 0))
        {
            counters.Add("check_id_duplicate");
        }

        if (comments.NextDouble() >= options.ReportFraction)
        {
            return;
        }

        // Mostly the truth, sometimes a mistake corrected the other way, as real moderators do.
        var reportSpam = comments.NextDouble() < 0.9 ? spam : !spam;
        var report = comments.NextDouble() < 0.8
            ? new SubmitFeedbackRequest { Site = site.Url, CheckId = response.CheckId }
            : new SubmitFeedbackRequest { Site = site.Url, Comment = request };
        await ledger.SubmitAsync(client, site.Key, reportSpam, report, abort);
    }
}
