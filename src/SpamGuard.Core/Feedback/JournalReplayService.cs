using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Diagnostics;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// Replays journaled reports whenever there are some and the stores answer again. A hosted service, so host
/// shutdown stops it; a failed attempt waits for the next tick (no tight retry loop against a struggling store).
/// </summary>
public sealed partial class JournalReplayService(
    FeedbackService feedback, SpamGuardMetrics metrics, IOptions<FeedbackOptions> options, ILogger<JournalReplayService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObservePending(reports: () => feedback.PendingReports);
        // A journal file that cannot be read or moved is logged and left for the next tick.
        await LocalBacklogRetry.RunAsync(
            TimeSpan.FromSeconds(options.Value.JournalReplaySeconds),
            () => feedback.HasJournaledReports,
            feedback.ReplayJournalAsync,
            () => LogStillUnavailable(logger),
            ex => LogJournalUnreadable(logger, ex),
            stoppingToken);
    }

    [LoggerMessage(5202, LogLevel.Error, "The report journal could not be replayed; retrying on the next tick.")]
    private static partial void LogJournalUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(5201, LogLevel.Debug, "Reports are waiting in the journal; a store is still unavailable.")]
    private static partial void LogStillUnavailable(ILogger logger);
}
