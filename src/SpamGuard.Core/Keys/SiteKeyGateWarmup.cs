using Microsoft.Extensions.Hosting;

namespace SpamGuard.Core.Keys;

/// <summary>
/// Reads whether site keys exist as soon as the node starts, and again every second until the store answers, so a
/// node started while the store is down stops refusing calls (fail closed) as soon as it is back, not only after a
/// caller's retry has paid for the read. A hosted service: host shutdown stops it.
/// </summary>
public sealed class SiteKeyGateWarmup(SiteKeyGate gate, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    /// <summary>Before the node takes calls (hosted services start before the server listens): a few quick tries,
    /// since a cold client can miss the store's timeout on its first call; then the rest in the background.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5 && !await gate.TryLearnAsync(cancellationToken); attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!await gate.TryLearnAsync(stoppingToken))
            {
                await Task.Delay(RetryEvery, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }
}
