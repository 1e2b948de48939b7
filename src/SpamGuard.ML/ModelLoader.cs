using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpamGuard.ML.Models;
using SpamGuard.ML.Scoring;

namespace SpamGuard.ML;

/// <summary>Loads the configured model before the server starts taking calls.</summary>
internal sealed partial class ModelLoader(SpamClassifier classifier, IOptions<ModelOptions> options, ILogger<ModelLoader> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.ResolvePath();
        try
        {
            var (model, card) = ModelFiles.Load(path);
            classifier.Activate(model);
            LogLoaded(logger, card.ModelVersion, path, card.Validation.Overall.F1, card.Validation.Overall.FalsePositiveRate);
        }
        catch (ModelLoadException ex)
        {
            LogLoadFailed(logger, path, ex.Message);
            throw;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(2001, LogLevel.Information, "Loaded model {ModelVersion} from {Path} (validation F1 {F1:0.000}, ham blocked {FalsePositiveRate:P2})")]
    private static partial void LogLoaded(ILogger logger, string modelVersion, string path, double f1, double falsePositiveRate);

    [LoggerMessage(2002, LogLevel.Critical, "Cannot start: the model at {Path} could not be loaded: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string path, string reason);
}
