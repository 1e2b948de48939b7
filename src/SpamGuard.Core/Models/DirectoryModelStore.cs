using System.Text.Json;

namespace SpamGuard.Core.Models;

/// <summary>
/// The registry in a directory of this server (the embedded default, one node): <c>&lt;version&gt;.zip</c> and
/// <c>&lt;version&gt;.card</c> (the card's JSON) per version and <c>activation.json</c>. Files are written to a temporary name and renamed, so a reader
/// never sees half a model. Activation signals reach subscribers in this process only.
/// </summary>
public sealed class DirectoryModelStore(string directory) : IModelStore, IDisposable
{
    private const string ActivationFile = "activation.json";
    private readonly Lock _subscribersLock = new();
    private readonly SemaphoreSlim _activating = new(1, 1);
    private List<Func<string, Task>> _subscribers = [];

    public async Task PutAsync(string version, ReadOnlyMemory<byte> zip, string cardJson, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        ModelVersions.ThrowIfInvalid(version);
        Directory.CreateDirectory(directory);
        var zipPath = Path.Combine(directory, version + ".zip");
        if (File.Exists(zipPath))
        {
            return;
        }

        // The card first: a zip without its card is not listed, a card without its zip would be.
        await WriteAtomicallyAsync(Path.Combine(directory, version + ".card"), System.Text.Encoding.UTF8.GetBytes(cardJson), cancellationToken);
        await WriteAtomicallyAsync(zipPath, zip, cancellationToken);
    }

    public async Task<byte[]?> GetZipAsync(string version, CancellationToken cancellationToken)
    {
        ModelVersions.ThrowIfInvalid(version);
        var path = Path.Combine(directory, version + ".zip");
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken) : null;
    }

    public async Task<StoredModel?> GetAsync(string version, CancellationToken cancellationToken)
    {
        ModelVersions.ThrowIfInvalid(version);
        var zip = Path.Combine(directory, version + ".zip");
        return await ReadAsync(zip, cancellationToken);
    }

    public async Task<IReadOnlyList<StoredModel>> ListAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var models = new List<StoredModel>();
        foreach (var zip in Directory.EnumerateFiles(directory, "*.zip"))
        {
            if (await ReadAsync(zip, cancellationToken) is { } model)
            {
                models.Add(model);
            }
        }

        return [.. models.OrderByDescending(m => m.StoredAt).ThenByDescending(m => m.Version, StringComparer.Ordinal)];
    }

    // A version is its zip and its card; with either missing it is not (or not yet) stored.
    private static async Task<StoredModel?> ReadAsync(string zip, CancellationToken cancellationToken)
    {
        var card = Path.ChangeExtension(zip, ".card");
        return File.Exists(zip) && File.Exists(card)
            ? new StoredModel(Path.GetFileNameWithoutExtension(zip), await File.ReadAllTextAsync(card, cancellationToken), File.GetLastWriteTimeUtc(zip))
            : null;
    }

    public async Task<ModelActivation> GetActivationAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, ActivationFile);
        if (!File.Exists(path))
        {
            return new ModelActivation(null, null);
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<ModelActivation>(stream, cancellationToken: cancellationToken) ?? new ModelActivation(null, null);
    }

    public async Task<ModelActivation> ActivateAsync(string version, CancellationToken cancellationToken)
    {
        ModelVersions.ThrowIfInvalid(version);
        ModelActivation activation;
        await _activating.WaitAsync(cancellationToken);
        try
        {
            var current = await GetActivationAsync(cancellationToken);
            activation = current.Active == version ? current : new ModelActivation(version, current.Active);
            Directory.CreateDirectory(directory);
            await WriteAtomicallyAsync(Path.Combine(directory, ActivationFile), JsonSerializer.SerializeToUtf8Bytes(activation), cancellationToken);
        }
        finally
        {
            _activating.Release();
        }

        List<Func<string, Task>> subscribers;
        lock (_subscribersLock)
        {
            subscribers = _subscribers;
        }

        // Told off this call, as Redis delivers its messages: a subscriber may be waiting for the very lock the caller
        // of this method holds while it activates.
        foreach (var subscriber in subscribers)
        {
            _ = Task.Run(() => subscriber(version), CancellationToken.None);
        }

        return activation;
    }

    public Task<IAsyncDisposable> SubscribeAsync(Func<string, Task> onActivated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onActivated);
        lock (_subscribersLock)
        {
            _subscribers = [.. _subscribers, onActivated];
        }

        return Task.FromResult<IAsyncDisposable>(new Subscription(() =>
        {
            lock (_subscribersLock)
            {
                _subscribers = [.. _subscribers.Where(s => s != onActivated)];
            }
        }));
    }

    public void Dispose() => _activating.Dispose();

    private static async Task WriteAtomicallyAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    private sealed class Subscription(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Model version names: they become file names and Redis hash fields.</summary>
public static class ModelVersions
{
    public static bool IsValid(string? version) =>
        version is { Length: > 0 and <= 100 } && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_') && version[0] != '.';

    public static void ThrowIfInvalid(string? version)
    {
        if (!IsValid(version))
        {
            throw new ArgumentException($"'{version}' is not a model version (letters, digits, '-', '.', '_', at most 100).", nameof(version));
        }
    }
}
