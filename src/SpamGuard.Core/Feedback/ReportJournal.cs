namespace SpamGuard.Core.Feedback;

/// <summary>
/// Local, append-only files that hold reports the shared stores could not take, until they answer again.
/// <list type="bullet">
/// <item>journal.jsonl: reports waiting, appended write-through as they fail;</item>
/// <item>journal.replaying.jsonl: the batch being replayed (moved aside, so new failures start a new journal);</item>
/// <item>journal.progress.jsonl: each stage a replayed report reached, so a replay cut short (another outage, a
/// crash) resumes every report where it stopped instead of applying any step twice.</item>
/// </list>
/// </summary>
public sealed class ReportJournal : IDisposable
{
    private readonly JsonLinesFile<PendingReport> _journal;
    private readonly JsonLinesFile<PendingReport> _replaying;
    private readonly JsonLinesFile<PendingReport> _progress;
    private readonly SemaphoreSlim _replay = new(1, 1);

    public ReportJournal(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _journal = new JsonLinesFile<PendingReport>(Path.Combine(directory, "journal.jsonl"));
        _replaying = new JsonLinesFile<PendingReport>(Path.Combine(directory, "journal.replaying.jsonl"));
        _progress = new JsonLinesFile<PendingReport>(Path.Combine(directory, "journal.progress.jsonl"));
    }

    /// <summary>Whether reports are waiting.</summary>
    public bool HasPending => _journal.Exists || _replaying.Exists;

    public Task AppendAsync(PendingReport report, CancellationToken cancellationToken) => _journal.AppendAsync(report, cancellationToken);

    /// <summary>
    /// Applies every waiting report with <paramref name="apply"/>, which reports each stage it reaches through the
    /// callback it is given. One replay at a time. Returns how many reports were completed.
    /// </summary>
    /// <exception cref="Reputation.StoreUnavailableException">A store is still unavailable; everything not yet
    /// applied stays for the next replay.</exception>
    public async Task<int> ReplayAsync(
        Func<PendingReport, Func<PendingReport, Task>, Task> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        await _replay.WaitAsync(cancellationToken);
        try
        {
            // A batch left by an interrupted replay goes first.
            if (!_replaying.Exists && !await _journal.MoveToAsync(_replaying.Path, cancellationToken))
            {
                return 0;
            }

            var reached = new Dictionary<string, PendingReport>(StringComparer.Ordinal);
            await foreach (var step in _progress.ReadAllAsync(cancellationToken))
            {
                reached[step.EntryId] = step;
            }

            var completed = 0;
            await foreach (var report in _replaying.ReadAllAsync(cancellationToken))
            {
                var current = reached.GetValueOrDefault(report.EntryId) ?? report;
                if (current.Stage == ReportStage.Done)
                {
                    continue;
                }

                await apply(current, step => _progress.AppendAsync(step, cancellationToken));
                completed++;
            }

            _replaying.Delete();
            _progress.Delete();
            return completed;
        }
        finally
        {
            _replay.Release();
        }
    }

    public void Dispose()
    {
        _journal.Dispose();
        _replaying.Dispose();
        _progress.Dispose();
        _replay.Dispose();
    }
}
