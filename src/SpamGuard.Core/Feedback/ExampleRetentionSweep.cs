using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// Keeps the embedded default's example file within <see cref="FeedbackOptions.ExampleRetentionDays"/>: once at start
/// and then hourly, examples reported before the cut-off are dropped. Redis trims its stream itself on every append, so
/// with Redis this does nothing. A hosted service, stopped with the host.
/// </summary>
public sealed partial class ExampleRetentionSweep(
    ILabelledExampleStore store, IOptions<FeedbackOptions> options, TimeProvider time, ILogger<ExampleRetentionSweep> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>One sweep; returns how many examples were dropped.</summary>
    public async Task<long> SweepAsync(CancellationToken cancellationToken)
    {
        if (store is not JsonlLabelledExampleStore file)
        {
            return 0;
        }

        var dropped = await file.RemoveOlderThanAsync(time.GetUtcNow() - options.Value.ExampleRetention, cancellationToken);
        if (dropped > 0)
        {
            LogSwept(logger, dropped);
        }

        return dropped;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    LogFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    [LoggerMessage(5301, LogLevel.Information, "Retention: dropped {Count} reported examples older than the retention window.")]
    private static partial void LogSwept(ILogger logger, long count);

    [LoggerMessage(5302, LogLevel.Error, "Retention: the example file could not be swept; retrying in an hour.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
