using SpamGuard.Core.Scoring;

namespace SpamGuard.ML.Scoring;

/// <summary>
/// The swap point for model versions. Scoring reads <see cref="Current"/> once per check; <see cref="Activate"/>
/// replaces it with one atomic reference write, so in-flight checks finish on the model they started with and no
/// check ever waits for a swap.
/// </summary>
public sealed class SpamClassifier : ISpamClassifier, IDisposable
{
    private SpamModel? _current;

    public IScoringModel? Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="model"/> the active version and returns the one it replaced.</summary>
    public SpamModel? Activate(SpamModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Interlocked.Exchange(ref _current, model);
    }

    /// <summary>At shutdown (the host disposes singletons after requests have drained): releases the active model's engines.</summary>
    public void Dispose() => Interlocked.Exchange(ref _current, null)?.Dispose();
}
