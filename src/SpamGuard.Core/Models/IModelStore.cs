namespace SpamGuard.Core.Models;

/// <summary>A stored model version: its card (JSON) and when it was stored; the zip is read separately.</summary>
public sealed record StoredModel(string Version, string CardJson, DateTimeOffset StoredAt);

/// <summary>Which version is active, and which was active before it (what a rollback brings back).</summary>
public sealed record ModelActivation(string? Active, string? Previous);

/// <summary>
/// The model registry's storage, shared by every node: model files by version, the active version, and a signal to
/// every node when it changes. A directory (one node) and Redis (every node sharing it) implement it.
/// </summary>
public interface IModelStore
{
    /// <summary>Stores a version; storing the same version again replaces nothing (versions are immutable).</summary>
    Task PutAsync(string version, ReadOnlyMemory<byte> zip, string cardJson, CancellationToken cancellationToken);

    Task<byte[]?> GetZipAsync(string version, CancellationToken cancellationToken);

    /// <summary>One version's card and storage time, or null when it is not stored (or its card is not there yet).
    /// Loading or showing one version reads only it, however many retrains the registry has kept.</summary>
    Task<StoredModel?> GetAsync(string version, CancellationToken cancellationToken);

    /// <summary>Every version, newest first.</summary>
    Task<IReadOnlyList<StoredModel>> ListAsync(CancellationToken cancellationToken);

    Task<ModelActivation> GetActivationAsync(CancellationToken cancellationToken);

    /// <summary>Records <paramref name="version"/> as active (the former one becomes previous) and tells every node.</summary>
    Task<ModelActivation> ActivateAsync(string version, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="onActivated"/> with the version whenever any node activates one, until disposed.</summary>
    Task<IAsyncDisposable> SubscribeAsync(Func<string, Task> onActivated, CancellationToken cancellationToken);
}
