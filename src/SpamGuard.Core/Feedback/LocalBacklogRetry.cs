using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// The loop both local backlogs share (journaled reports, outboxed check records): on every tick, if there is
/// something waiting, hand it to the store; a store that is still away, or a local file that cannot be read or
/// rewritten, waits for the next tick instead of stopping the host (a BackgroundService that throws does) or retrying
/// in a tight loop against a struggling store. Ends when the stopping token is cancelled.
/// </summary>
internal static class LocalBacklogRetry
{
    public static async Task RunAsync(
        TimeSpan period,
        Func<bool> hasWork,
        Func<CancellationToken, Task> applyAsync,
        Action stillUnavailable,
        Action<Exception> localFileFailed,
        CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!hasWork())
                {
                    continue;
                }

                try
                {
                    await applyAsync(stoppingToken);
                }
                catch (StoreUnavailableException)
                {
                    stillUnavailable();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    localFileFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }
}
