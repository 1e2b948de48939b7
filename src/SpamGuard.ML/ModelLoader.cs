using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Reputation;
using SpamGuard.ML.Registry;

namespace SpamGuard.ML;

/// <summary>Loads the model before the server starts taking calls (see <see cref="ModelRegistry.StartAsync"/>).</summary>
internal sealed partial class ModelLoader(ModelRegistry registry, IOptions<ModelOptions> options, ILogger<ModelLoader> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await registry.StartAsync(cancellationToken);
        }
        catch (Models.ModelLoadException ex)
        {
            LogLoadFailed(logger, options.Value.ResolvePath(), ex.Message);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(2002, LogLevel.Critical, "Cannot start: the model at {Path} could not be loaded: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string path, string reason);
}

/// <summary>
/// Polls the registry's active version, so a node that missed an activation signal (Redis reconnecting) still
/// follows within <see cref="ModelOptions.SyncSeconds"/>. Stopped with the host.
/// </summary>
internal sealed class ModelSyncService(ModelRegistry registry, IOptions<ModelOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SyncSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await registry.SyncAsync(stoppingToken);
                }
                catch (StoreUnavailableException)
                {
                    // The next tick tries again; serving goes on with the current model.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }
}
