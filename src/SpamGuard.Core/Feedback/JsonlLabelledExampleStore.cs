using System.Runtime.CompilerServices;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// Labelled examples in an append-only JSON-lines file (<see cref="JsonLinesFile{T}"/>): the durable store when no
/// Redis is configured. An entry appended twice (a retried call, a replayed journal) is read once.
/// </summary>
public sealed class JsonlLabelledExampleStore(string path) : ILabelledExampleStore, IDisposable
{
    private readonly JsonLinesFile<LabelledExample> _file = new(path);

    public string Path => _file.Path;

    public Task AppendAsync(LabelledExample example, CancellationToken cancellationToken) => _file.AppendAsync(example, cancellationToken);

    public void Dispose() => _file.Dispose();

    public Task<long> EraseAsync(IReadOnlySet<string> pseudonyms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pseudonyms);
        return _file.RemoveWhereAsync(e => e.Pseudonyms.Any(pseudonyms.Contains), cancellationToken);
    }

    public Task<long> RemoveCheckAsync(string checkId, CancellationToken cancellationToken) =>
        _file.RemoveWhereAsync(e => e.CheckId == checkId, cancellationToken);

    /// <summary>Drops examples reported before <paramref name="cutoff"/> (the retention sweep); returns how many.</summary>
    public Task<long> RemoveOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        _file.RemoveWhereAsync(e => e.ReportedAt < cutoff, cancellationToken);

    public async IAsyncEnumerable<LabelledExample> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var example in _file.ReadAllAsync(cancellationToken))
        {
            if (seen.Add(example.EntryId))
            {
                yield return example;
            }
        }
    }
}
