using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Reputation;

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
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.JournalReplaySeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!feedback.HasJournaledReports)
                {
                    continue;
                }

                try
                {
                    await feedback.ReplayJournalAsync(stoppingToken);
                }
                catch (StoreUnavailableException)
                {
                    LogStillUnavailable(logger);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // A journal file that cannot be read or moved must not stop the host (a BackgroundService that
                    // throws does); the journal stays, and the next tick tries again.
                    LogJournalUnreadable(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    [LoggerMessage(5202, LogLevel.Error, "The report journal could not be replayed; retrying on the next tick.")]
    private static partial void LogJournalUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(5201, LogLevel.Debug, "Reports are waiting in the journal; a store is still unavailable.")]
    private static partial void LogStillUnavailable(ILogger logger);
}
