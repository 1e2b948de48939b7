namespace SpamGuard.Core.Feedback;

/// <summary>An accepted report that could not be applied, kept with why (never dropped silently).</summary>
/// <param name="Reason">Why, in a few words: e.g. the check it names was not found in the store.</param>
public sealed record FailedReport(PendingReport Report, string Reason, DateTimeOffset FailedAt);

/// <summary>
/// Local, append-only files (owner-only) that hold reports the shared stores could not take, until they answer again.
/// <list type="bullet">
/// <item>journal.jsonl: reports waiting, appended write-through as they fail;</item>
/// <item>journal.replaying.jsonl: the batch being replayed (moved aside, so new failures start a new journal);</item>
/// <item>journal.progress.jsonl: each stage a replayed report reached, so a replay cut short (another outage, a
/// crash) resumes every report where it stopped instead of applying any step twice;</item>
/// <item>journal.failed.jsonl: reports that were accepted (answered QUEUED) but could not be applied when replayed,
/// each with its reason, for the operator.</item>
/// </list>
/// </summary>
public sealed class ReportJournal : IDisposable
{
    private readonly JsonLinesFile<PendingReport> _journal;
    private readonly JsonLinesFile<PendingReport> _replaying;
    private readonly JsonLinesFile<PendingReport> _progress;
    private readonly JsonLinesFile<FailedReport> _failed;
    private readonly SemaphoreSlim _replay = new(1, 1);
    private readonly TimeProvider _time;
    private long _pending;
    private long _failedCount;

    public ReportJournal(string directory, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _time = time ?? TimeProvider.System;
        _journal = new JsonLinesFile<PendingReport>(Path.Combine(directory, "journal.jsonl"));
        _replaying = new JsonLinesFile<PendingReport>(Path.Combine(directory, "journal.replaying.jsonl"));
        _progress = new JsonLinesFile<PendingReport>(Path.Combine(directory, "journal.progress.jsonl"));
        _failed = new JsonLinesFile<FailedReport>(Path.Combine(directory, "journal.failed.jsonl"));
        // What a previous run left: every report in the journals not yet done (a restart loses none of them).
        var done = _progress.ReadAll().Where(p => p.Stage == ReportStage.Done).Select(p => p.EntryId).ToHashSet(StringComparer.Ordinal);
        _pending = _journal.ReadAll().Count + _replaying.ReadAll().Count(r => !done.Contains(r.EntryId));
        _failedCount = _failed.ReadAll().Count;
    }

    /// <summary>Whether reports are waiting.</summary>
    public bool HasPending => _journal.Exists || _replaying.Exists;

    /// <summary>Reports accepted and waiting to be applied.</summary>
    public long PendingCount => Interlocked.Read(ref _pending);

    /// <summary>Reports accepted that could not be applied, kept in journal.failed.jsonl.</summary>
    public long FailedCount => Interlocked.Read(ref _failedCount);

    public string FailedPath => _failed.Path;

    public async Task AppendAsync(PendingReport report, CancellationToken cancellationToken)
    {
        await _journal.AppendAsync(report, cancellationToken);
        Interlocked.Increment(ref _pending);
    }

    /// <summary>The reports that could not be applied, with their reasons.</summary>
    public IReadOnlyList<FailedReport> Failed() => _failed.ReadAll();

    /// <summary>
    /// Applies every waiting report with <paramref name="apply"/>, which reports each stage it reaches through the
    /// callback it is given and returns null when the report was applied, or why it could not be (it is then kept in
    /// journal.failed.jsonl). One replay at a time. Returns how many reports were applied and how many failed.
    /// </summary>
    /// <exception cref="Reputation.StoreUnavailableException">A store is still unavailable; everything not yet
    /// applied stays for the next replay.</exception>
    public async Task<(int Applied, int Failed)> ReplayAsync(
        Func<PendingReport, Func<PendingReport, Task>, Task<string?>> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        await _replay.WaitAsync(cancellationToken);
        try
        {
            // A batch left by an interrupted replay goes first.
            if (!_replaying.Exists && !await _journal.MoveToAsync(_replaying.Path, cancellationToken))
            {
                return (0, 0);
            }

            var reached = new Dictionary<string, PendingReport>(StringComparer.Ordinal);
            await foreach (var step in _progress.ReadAllAsync(cancellationToken))
            {
                reached[step.EntryId] = step;
            }

            int applied = 0, failed = 0;
            await foreach (var report in _replaying.ReadAllAsync(cancellationToken))
            {
                var current = reached.GetValueOrDefault(report.EntryId) ?? report;
                if (current.Stage == ReportStage.Done)
                {
                    continue;
                }

                if (await apply(current, step => _progress.AppendAsync(step, cancellationToken)) is { } reason)
                {
                    // Kept before it is marked done, so a crash in between keeps it twice rather than losing it.
                    await _failed.AppendAsync(new FailedReport(current, reason, _time.GetUtcNow()), cancellationToken);
                    await _progress.AppendAsync(current with { Stage = ReportStage.Done }, cancellationToken);
                    Interlocked.Increment(ref _failedCount);
                    failed++;
                }
                else
                {
                    applied++;
                }

                Interlocked.Decrement(ref _pending);
            }

            _replaying.Delete();
            _progress.Delete();
            return (applied, failed);
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
        _failed.Dispose();
        _replay.Dispose();
    }
}
