namespace SpamGuard.Core.Explanations;

public enum DataHandling
{
    /// <summary>Read while scoring this request, then thrown away with it.</summary>
    UsedInMemoryDiscarded,

    /// <summary>Kept only as a keyed pseudonym (HMAC), never in the clear.</summary>
    StoredPseudonymised,

    /// <summary>Kept as submitted.</summary>
    Stored,

    /// <summary>Accepted for compatibility but not read, then thrown away with the request.</summary>
    IgnoredDiscarded,
}

/// <summary>What happened to one submitted field.</summary>
/// <param name="Field">The request field name, as in the API ("author_email").</param>
/// <param name="Retention">How long it is kept; <see cref="TimeSpan.Zero"/> when it is not kept.</param>
public sealed record FieldProcessing(string Field, string Purpose, DataHandling Handling, TimeSpan Retention)
{
    /// <summary>The keyed pseudonyms the field was stored under, when <see cref="Handling"/> is
    /// <see cref="DataHandling.StoredPseudonymised"/> (or for content, its link hosts and fingerprint bands).</summary>
    public IReadOnlyList<string> Pseudonyms { get; init; } = [];
}
