using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Redis;

/// <summary>
/// Replays the report journal into Redis whenever there is something in it and Redis answers again. A hosted
/// service, so host shutdown stops it; a failed attempt waits for the next tick (no tight retry loop).
/// </summary>
public sealed partial class JournalReplayService(JournaledExampleStore store, TimeSpan interval, ILogger<JournalReplayService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!store.HasPending)
                {
                    continue;
                }

                try
                {
                    var sent = await store.ReplayAsync(stoppingToken);
                    Log.Replayed(logger, sent);
                }
                catch (StoreUnavailableException)
                {
                    Log.StillUnavailable(logger);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Information, "Replayed {Count} journaled reports into Redis.")]
        public static partial void Replayed(ILogger logger, int count);

        [LoggerMessage(3002, LogLevel.Debug, "Reports are waiting in the journal; Redis is still unavailable.")]
        public static partial void StillUnavailable(ILogger logger);
    }
}
