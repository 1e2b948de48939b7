using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// Moves check records from the outbox to the store whenever there are some and it answers again (every
/// Feedback:JournalReplaySeconds, like <see cref="JournalReplayService"/>). A hosted service, so host shutdown stops
/// it; a failed attempt waits for the next tick.
/// </summary>
public sealed partial class CheckOutboxFlushService(
    ICheckRecordStore records, CheckOutbox outbox, SpamGuardMetrics metrics, IOptions<FeedbackOptions> options, ILogger<CheckOutboxFlushService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObservePending(checks: () => outbox.Count);
        if (records is not OutboxedCheckRecordStore outboxed)
        {
            // The outbox was bypassed (a host replaced the store): nothing ever enters it.
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.JournalReplaySeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (outbox.Count == 0 && !outbox.IsStale)
                {
                    continue;
                }

                try
                {
                    await outboxed.FlushAsync(stoppingToken);
                }
                catch (StoreUnavailableException)
                {
                    LogStillUnavailable(logger);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    LogOutboxUnwritable(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    [LoggerMessage(5303, LogLevel.Debug, "Check records are waiting in the outbox; the store is still unavailable.")]
    private static partial void LogStillUnavailable(ILogger logger);

    [LoggerMessage(5304, LogLevel.Error, "The check-record outbox could not be rewritten; retrying on the next tick.")]
    private static partial void LogOutboxUnwritable(ILogger logger, Exception exception);
}
