using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Models;
using SpamGuard.Core.Reputation;
using SpamGuard.ML.Models;
using SpamGuard.ML.Scoring;

namespace SpamGuard.ML.Registry;

/// <summary>A version in the registry, with its card.</summary>
public sealed record RegisteredModel(string Version, ModelCard Card, DateTimeOffset StoredAt);

/// <summary>A model that cannot be activated or registered: corrupt, truncated, incompatible or unknown.</summary>
public sealed class ModelRejectedException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The version is simply not stored (as opposed to stored but unusable).</summary>
    public bool IsUnknownVersion { get; init; }
}

/// <summary>
/// Model versions shared by every node (<see cref="IModelStore"/>) and the hot swap of the one this node serves. A
/// version is loaded and checked (schema, card, a warm-up score) before it is activated anywhere, so a bad model never
/// replaces a good one. The swap is one reference write in <see cref="SpamClassifier"/>: checks in flight finish on
/// the model they started with, and every response names the version that scored it. Nodes follow the registry's
/// active version through the store's signal and a poll (<see cref="ModelSyncService"/>).
/// </summary>
public sealed partial class ModelRegistry(
    SpamClassifier classifier,
    IModelStore store,
    IOptions<ModelOptions> modelOptions,
    IOptions<FeedbackOptions> feedbackOptions,
    ILogger<ModelRegistry> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _swapping = new(1, 1);
    private IAsyncDisposable? _subscription;

    /// <summary>The version this node serves.</summary>
    public string? ServingVersion => classifier.Current?.Version;

    private string CacheDirectory => Path.Combine(feedbackOptions.Value.DataDirectory, "model-cache");

    /// <summary>
    /// Loads the configured model file (start-up fails with <see cref="ModelLoadException"/> if it is missing or corrupt), registers it, and then serves the
    /// registry's active version when one is recorded. A store that does not answer leaves the configured model serving.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = modelOptions.Value.ResolvePath();
        // ModelLoadException, not a rejection: the host reports a model it cannot start with as such.
        var (model, card) = ModelFiles.Load(path);
        classifier.Activate(model);
        LogLoaded(logger, card.ModelVersion, path, card.Validation.Overall.F1, card.Validation.Overall.FalsePositiveRate);

        try
        {
            await store.PutAsync(card.ModelVersion, await File.ReadAllBytesAsync(path, cancellationToken),
                await File.ReadAllTextAsync(ModelFiles.CardPathFor(path), cancellationToken), cancellationToken);
            var activation = await store.GetActivationAsync(cancellationToken);
            if (activation.Active is null)
            {
                await store.ActivateAsync(card.ModelVersion, cancellationToken);
            }
            else
            {
                await SyncAsync(cancellationToken);
            }

            _subscription = await store.SubscribeAsync(version => FollowAsync(version), cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            LogStoreUnavailable(logger, ex.Message);
        }
    }

    /// <summary>Serves the registry's active version if this node serves another one.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var active = (await store.GetActivationAsync(cancellationToken)).Active;
        if (active is not null && active != ServingVersion)
        {
            await FollowAsync(active, cancellationToken);
        }
    }

    /// <summary>Loads and checks <paramref name="version"/>, records it as active for every node, and swaps it in here.</summary>
    /// <exception cref="ModelRejectedException">Unknown, or not loadable; the active model stays.</exception>
    public async Task<ModelActivation> ActivateAsync(string version, CancellationToken cancellationToken)
    {
        if (!ModelVersions.IsValid(version))
        {
            throw new ModelRejectedException($"'{version}' is not a model version.") { IsUnknownVersion = true };
        }

        await _swapping.WaitAsync(cancellationToken);
        try
        {
            var model = await LoadVersionAsync(version, cancellationToken);
            var activation = await store.ActivateAsync(version, cancellationToken);
            Swap(model);
            return activation;
        }
        finally
        {
            _swapping.Release();
        }
    }

    /// <summary>Activates the version that was active before the current one.</summary>
    /// <exception cref="ModelRejectedException">There is none, or it cannot be loaded.</exception>
    public async Task<ModelActivation> RollbackAsync(CancellationToken cancellationToken)
    {
        var previous = (await store.GetActivationAsync(cancellationToken)).Previous
            ?? throw new ModelRejectedException("There is no previous version to roll back to.");
        return await ActivateAsync(previous, cancellationToken);
    }

    /// <summary>Checks a model (zip and card) by loading it, then stores it as a candidate; returns its version.</summary>
    /// <exception cref="ModelRejectedException">Corrupt, truncated or incompatible; nothing is stored.</exception>
    public async Task<string> RegisterAsync(ReadOnlyMemory<byte> zip, string cardJson, CancellationToken cancellationToken)
    {
        ModelCard card;
        try
        {
            card = JsonSerializer.Deserialize<ModelCard>(cardJson, ModelFiles.CardJson) ?? throw new ModelRejectedException("The model card is empty.");
        }
        catch (JsonException ex)
        {
            throw new ModelRejectedException($"The model card is not valid JSON for a model card: {ex.Message}", ex);
        }

        if (!ModelVersions.IsValid(card.ModelVersion))
        {
            throw new ModelRejectedException($"The card's version '{card.ModelVersion}' is not a valid model version.");
        }

        // Loaded from a scratch copy, so a rejected upload leaves nothing behind in the cache either.
        var scratch = Directory.CreateTempSubdirectory("spamguard-upload-");
        try
        {
            var path = await WriteAsync(scratch.FullName, card.ModelVersion, zip, cardJson, cancellationToken);
            using var model = LoadFile(path).Model;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }

        await store.PutAsync(card.ModelVersion, zip, cardJson, cancellationToken);
        return card.ModelVersion;
    }

    /// <summary>Which version is active in the registry, and which was before it.</summary>
    public Task<ModelActivation> GetActivationAsync(CancellationToken cancellationToken) => store.GetActivationAsync(cancellationToken);

    /// <summary>One stored version with its card, or null when it is not stored or its card cannot be read.</summary>
    public async Task<RegisteredModel?> GetAsync(string version, CancellationToken cancellationToken) =>
        ModelVersions.IsValid(version) && await store.GetAsync(version, cancellationToken) is { } entry ? Registered(entry) : null;

    public async Task<(IReadOnlyList<RegisteredModel> Models, ModelActivation Activation)> ListAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(cancellationToken);
        // One unreadable card must not hide the other versions.
        var models = stored.Select(Registered).OfType<RegisteredModel>().ToList();
        return (models, await store.GetActivationAsync(cancellationToken));
    }

    /// <summary>The stored entry with its card read, or null (logged) when the card is not a readable model card.</summary>
    private RegisteredModel? Registered(StoredModel entry)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelCard>(entry.CardJson, ModelFiles.CardJson) is { } card
                ? new RegisteredModel(entry.Version, card, entry.StoredAt)
                : null;
        }
        catch (JsonException ex)
        {
            LogUnreadableCard(logger, entry.Version, ex.Message);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is { } subscription)
        {
            await subscription.DisposeAsync();
        }

        _swapping.Dispose();
    }

    private async Task FollowAsync(string version, CancellationToken cancellationToken = default)
    {
        await _swapping.WaitAsync(cancellationToken);
        try
        {
            if (version == ServingVersion)
            {
                return;
            }

            Swap(await LoadVersionAsync(version, cancellationToken));
        }
        catch (ModelRejectedException ex)
        {
            // Another node activated it after checking it; this node cannot load it (a damaged copy): keep serving.
            LogFollowFailed(logger, version, ex.Message);
        }
        catch (StoreUnavailableException ex)
        {
            LogFollowFailed(logger, version, ex.Message);
        }
        finally
        {
            _swapping.Release();
        }
    }

    private void Swap(SpamModel model)
    {
        // The replaced model is not disposed here: checks that read it before the swap may still be scoring on it.
        // It has no unmanaged state, so the GC reclaims it once they finish.
        var replaced = classifier.Activate(model);
        LogSwapped(logger, replaced?.Version ?? "(none)", model.Version);
    }

    private async Task<SpamModel> LoadVersionAsync(string version, CancellationToken cancellationToken)
    {
        var zip = await store.GetZipAsync(version, cancellationToken)
            ?? throw new ModelRejectedException($"No model version '{version}' is stored.") { IsUnknownVersion = true };
        var cardJson = (await store.GetAsync(version, cancellationToken))?.CardJson
            ?? throw new ModelRejectedException($"Model version '{version}' has no card.");
        var path = await WriteAsync(CacheDirectory, version, zip, cardJson, cancellationToken);
        return LoadFile(path).Model;
    }

    private static (SpamModel Model, ModelCard Card) LoadFile(string path)
    {
        try
        {
            return ModelFiles.Load(path);
        }
        catch (ModelLoadException ex)
        {
            throw new ModelRejectedException(ex.Message, ex);
        }
    }

    private static async Task<string> WriteAsync(string directory, string version, ReadOnlyMemory<byte> zip, string cardJson, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var zipPath = Path.Combine(directory, version + ".zip");
        await File.WriteAllBytesAsync(zipPath, zip, cancellationToken);
        await File.WriteAllTextAsync(ModelFiles.CardPathFor(zipPath), cardJson, cancellationToken);
        return zipPath;
    }

    [LoggerMessage(2001, LogLevel.Information, "Loaded model {ModelVersion} from {Path} (validation F1 {F1:0.000}, ham blocked {FalsePositiveRate:P2})")]
    private static partial void LogLoaded(ILogger logger, string modelVersion, string path, double f1, double falsePositiveRate);

    [LoggerMessage(2003, LogLevel.Warning, "The model registry's store did not answer at start; serving the configured model until it does: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason);

    [LoggerMessage(2004, LogLevel.Information, "Model swapped: {From} -> {To}")]
    private static partial void LogSwapped(ILogger logger, string from, string to);

    [LoggerMessage(2005, LogLevel.Error, "Could not follow the activation of model {ModelVersion}; still serving the previous one: {Reason}")]
    private static partial void LogFollowFailed(ILogger logger, string modelVersion, string reason);

    [LoggerMessage(2006, LogLevel.Warning, "The card of stored model {ModelVersion} cannot be read: {Reason}")]
    private static partial void LogUnreadableCard(ILogger logger, string modelVersion, string reason);
}
