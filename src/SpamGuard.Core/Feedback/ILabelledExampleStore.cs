using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Feedback;

/// <summary>A labelled comment from a report, kept for retraining.</summary>
/// <param name="EntryId">Unique per accepted report: a store that is handed the same entry twice (a retry, a journal
/// replayed after a crash) keeps it once.</param>
/// <param name="AuthorShape">The author's name reduced to shape tokens; never the name.</param>
public sealed record LabelledExample(string EntryId, string CheckId, string Site, ReportLabel Label, DateTimeOffset ReportedAt, string Content, string AuthorShape)
{
    /// <summary>The pseudonyms of the person's IP, e-mail and website, so an erasure request finds the example (never
    /// used for training).</summary>
    public IReadOnlyList<string> Pseudonyms { get; init; } = [];

    // Value equality for the list too: an example read back from a store equals the one appended.
    public bool Equals(LabelledExample? other) =>
        other is not null
        && EntryId == other.EntryId && CheckId == other.CheckId && Site == other.Site && Label == other.Label
        && ReportedAt == other.ReportedAt && Content == other.Content && AuthorShape == other.AuthorShape
        && Pseudonyms.SequenceEqual(other.Pseudonyms);

    public override int GetHashCode() => HashCode.Combine(EntryId, CheckId, Label, ReportedAt);
}

/// <summary>
/// The durable, append-only store of reported examples that retraining reads. A check reported twice appears twice
/// (a correction is a new entry); readers keep the latest entry per check id (<see cref="LabelledExamples.LatestPerCheck"/>).
/// </summary>
public interface ILabelledExampleStore
{
    Task AppendAsync(LabelledExample example, CancellationToken cancellationToken);

    IAsyncEnumerable<LabelledExample> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>Deletes every example carrying any of <paramref name="pseudonyms"/>; returns how many.</summary>
    Task<long> EraseAsync(IReadOnlySet<string> pseudonyms, CancellationToken cancellationToken);

    /// <summary>Deletes every example of one check (an admin unlearning a report); returns how many.</summary>
    Task<long> RemoveCheckAsync(string checkId, CancellationToken cancellationToken);
}

public static class LabelledExamples
{
    /// <summary>The latest report of every check, in the order checks were first reported.</summary>
    public static async Task<IReadOnlyList<LabelledExample>> LatestPerCheck(this ILabelledExampleStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var latest = new Dictionary<string, LabelledExample>(StringComparer.Ordinal);
        var order = new List<string>();
        await foreach (var example in store.ReadAllAsync(cancellationToken))
        {
            if (!latest.ContainsKey(example.CheckId))
            {
                order.Add(example.CheckId);
            }

            latest[example.CheckId] = example;
        }

        return [.. order.Select(id => latest[id])];
    }
}
