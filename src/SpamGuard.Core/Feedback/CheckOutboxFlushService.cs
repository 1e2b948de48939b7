using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Diagnostics;

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

        await LocalBacklogRetry.RunAsync(
            TimeSpan.FromSeconds(options.Value.JournalReplaySeconds),
            () => outbox.Count > 0 || outbox.IsStale,
            outboxed.FlushAsync,
            () => LogStillUnavailable(logger),
            ex => LogOutboxUnwritable(logger, ex),
            stoppingToken);
    }

    [LoggerMessage(5303, LogLevel.Debug, "Check records are waiting in the outbox; the store is still unavailable.")]
    private static partial void LogStillUnavailable(ILogger logger);

    [LoggerMessage(5304, LogLevel.Error, "The check-record outbox could not be rewritten; retrying on the next tick.")]
    private static partial void LogOutboxUnwritable(ILogger logger, Exception exception);
}
