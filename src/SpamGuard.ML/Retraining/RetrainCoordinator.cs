using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Features;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.ML.Data;
using SpamGuard.ML.Models;
using SpamGuard.ML.Registry;
using SpamGuard.ML.Scoring;
using SpamGuard.ML.Training;

namespace SpamGuard.ML.Retraining;

/// <summary>
/// Runs retrains, one at a time: reads the base corpus and the latest report per check, trains a candidate with the
/// active model's own settings and seed (same inputs, same model), evaluates the candidate and the active model on the
/// same held-back rows, stores the candidate, and activates it if it passes <see cref="QualityGate"/>. Training runs on
/// its own thread at a raised nice value, so scoring keeps the CPU it needs; the host's stop cancels it.
/// </summary>
public sealed partial class RetrainCoordinator(
    ModelRegistry registry,
    SpamClassifier classifier,
    ILabelledExampleStore examples,
    IOptions<RetrainingOptions> options,
    TimeProvider time,
    ILogger<RetrainCoordinator> logger) : IHostedService, IDisposable
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private RetrainJob? _running;
    private Task _runningTask = Task.CompletedTask;

    /// <summary>Starts a retrain, or returns the one already running (<c>Joined</c> true).</summary>
    public (RetrainJob Job, bool Joined) StartOrJoin(bool? autoPromote)
    {
        lock (_lock)
        {
            if (_running is { Status.IsFinished: false } running)
            {
                return (running, true);
            }

            var job = new RetrainJob(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
            _running = job;
            _runningTask = RunAsync(job, autoPromote ?? options.Value.AutoPromote, _stopping.Token);
            return (job, false);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        Task running;
        lock (_lock)
        {
            running = _runningTask;
        }

        await running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(RetrainJob job, bool autoPromote, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            LogStarted(logger, job.Id);
            var active = classifier.Current as SpamModel
                ?? throw new TrainingDataException("No trained model is active, so there is nothing to compare a candidate with.");
            var activeCard = (await registry.GetAsync(active.Version, cancellationToken))?.Card
                ?? throw new TrainingDataException($"The active model {active.Version} is not in the registry.");

            job.Report(new RetrainStatus("reading data", 0, 1));
            var (rows, files) = await ReadDataAsync(job, activeCard, cancellationToken);

            var settings = SpamModelTrainer.SettingsFrom(activeCard) with
            {
                // Unique even for two jobs in one second: versions are immutable once stored.
                Version = "r" + time.GetUtcNow().UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + job.Id[..4],
            };
            var progress = new Progress(job, rows.Count);
            var trained = await OnTrainingThreadAsync(
                () => SpamModelTrainer.Train(rows, files, settings, "spamguard admin retrain (server)", progress, cancellationToken),
                options.Value.NiceLevel);

            job.Report(new RetrainStatus("evaluating", rows.Count, 96));
            var held = trained.Validation.Select(e => new FeaturizedExample(e, CommentFeatureExtractor.Extract(e.Content, e.Author))).ToList();
            var activeReport = SpamModelTrainer.Evaluate(active, held, active.Thresholds.Spam);
            var (passed, gate) = QualityGate.Decide(trained.Card.Validation.Overall, activeReport.Overall, options.Value.GateTolerance);
            if (!SameBaseCorpus(activeCard, files))
            {
                gate += " (warning: the base corpus is not the one the active model was trained on, so the held-back rows may include rows it trained on, which favours it)";
            }

            var card = trained.Card with { Comparison = new GateComparison(active.Version, activeReport, passed, gate) };

            job.Report(new RetrainStatus("storing the candidate", rows.Count, 98));
            var version = await StoreAsync(trained with { Card = card }, cancellationToken);
            var promoted = false;
            if (passed && autoPromote)
            {
                job.Report(new RetrainStatus("activating the candidate", rows.Count, 99));
                await registry.ActivateAsync(version, cancellationToken);
                promoted = true;
            }

            LogFinished(logger, job.Id, version, gate, promoted);
            var candidate = new RegisteredModel(version, card, time.GetUtcNow());
            job.Report(new RetrainStatus("done", rows.Count, 100, new RetrainResult(candidate, active.Version, activeReport, card.Validation, promoted, gate)));
        }
        catch (Exception ex) when (ex is TrainingDataException or ModelRejectedException or StoreUnavailableException or IOException
                                       or ArgumentException or InvalidOperationException or OperationCanceledException)
        {
            LogFailed(logger, job.Id, ex.Message);
            job.Report(new RetrainStatus("failed", job.Status.RowsRead, job.Status.Percent, Error: ex.Message));
        }
#pragma warning disable CA1031 // A job nobody awaits must end, whatever went wrong, or its watchers would wait forever.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCrashed(logger, job.Id, ex);
            job.Report(new RetrainStatus("failed", job.Status.RowsRead, job.Status.Percent, Error: "The retrain failed unexpectedly: " + ex.GetType().Name + ": " + ex.Message));
        }
    }

    /// <summary>The base corpus files, then the latest report per check (deduplicated by text and label), in a fixed order.</summary>
    private async Task<(List<TrainingExample> Rows, List<CorpusFile> Files)> ReadDataAsync(RetrainJob job, ModelCard activeCard, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var paths = settings.BaseCorpus.Count > 0
            ? [.. settings.BaseCorpus]
            : activeCard.Data.Select(d => Path.Combine(settings.CorpusRoot, d.File)).Where(File.Exists).ToList();
        var rows = new List<TrainingExample>();
        var files = new List<CorpusFile>();
        foreach (var path in paths)
        {
            var (read, file) = TrainingDataReader.Read(path);
            rows.AddRange(read);
            files.Add(file);
            job.Report(new RetrainStatus("reading data", rows.Count, 2));
        }

        var reports = (await examples.LatestPerCheck(cancellationToken))
            .OrderBy(e => e.CheckId, StringComparer.Ordinal)
            .DistinctBy(e => (GroupKeys.Of(e.Content), e.Label))
            .Select(e => new TrainingExample("report:" + e.CheckId, DataSplit.ReportsCorpus, DataSplit.ReportsCorpus, null, e.Content, e.Label == ReportLabel.Spam))
            .ToList();
        rows.AddRange(reports);
        if (reports.Count > 0)
        {
            var digest = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', reports.Select(r => $"{r.Id}\t{(r.IsSpam ? 1 : 0)}\t{r.Content}"))));
            files.Add(new CorpusFile(DataSplit.ReportsCorpus, Convert.ToHexStringLower(digest), reports.Count, reports.Count(r => r.IsSpam), reports.Count(r => !r.IsSpam)));
        }

        job.Report(new RetrainStatus("reading data", rows.Count, 4));
        return (rows, files);
    }

    private async Task<string> StoreAsync(TrainedModel trained, CancellationToken cancellationToken)
    {
        var scratch = Directory.CreateTempSubdirectory("spamguard-retrain-");
        try
        {
            var zip = ModelFiles.Save(scratch.FullName, trained);
            return await registry.RegisterAsync(await File.ReadAllBytesAsync(zip, cancellationToken),
                JsonSerializer.Serialize(trained.Card, ModelFiles.CardJson), cancellationToken);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static bool SameBaseCorpus(ModelCard active, IEnumerable<CorpusFile> files) =>
        active.Data.Where(d => d.File != DataSplit.ReportsCorpus).Select(d => d.Sha256).ToHashSet(StringComparer.Ordinal)
            .SetEquals(files.Where(f => f.Path != DataSplit.ReportsCorpus).Select(f => f.Sha256));

    /// <summary>Runs <paramref name="work"/> on a thread of its own at nice <paramref name="nice"/> (Linux).</summary>
    private static Task<T> OnTrainingThreadAsync<T>(Func<T> work, int nice)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            if (OperatingSystem.IsLinux())
            {
                // On Linux, PRIO_PROCESS with who = 0 applies to the calling thread only, and threads it starts
                // inherit it. Raising one's own nice value needs no privilege; failure only means normal priority.
                _ = NativeMethods.SetPriority(0, 0, nice);
            }

            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "spamguard-retrain",
            Priority = ThreadPriority.BelowNormal,
        };
        thread.Start();
        return done.Task;
    }

    private sealed class Progress(RetrainJob job, long rows) : IProgress<TrainingProgress>
    {
        // Training's 0..100 maps to 5..95 of the job: reading comes before, evaluating and storing after.
        // The trainer's own "Done" is not the job's: evaluating and storing follow.
        public void Report(TrainingProgress value) =>
            job.Report(new RetrainStatus(value.Phase == "Done" ? "trained" : value.Phase.ToLowerInvariant(), rows, 5 + (value.Percent * 0.9)));
    }

    [LoggerMessage(2101, LogLevel.Information, "Retrain {JobId} started.")]
    private static partial void LogStarted(ILogger logger, string jobId);

    [LoggerMessage(2102, LogLevel.Information, "Retrain {JobId} stored candidate {ModelVersion}; gate {Gate}; promoted: {Promoted}")]
    private static partial void LogFinished(ILogger logger, string jobId, string modelVersion, string gate, bool promoted);

    [LoggerMessage(2104, LogLevel.Error, "Retrain {JobId} failed unexpectedly.")]
    private static partial void LogCrashed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(2103, LogLevel.Warning, "Retrain {JobId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string jobId, string reason);
}

internal static partial class NativeMethods
{
    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    internal static partial int SetPriority(int which, int who, int priority);
}
