using SpamGuard.Core.Reputation;
using System.Collections.Concurrent;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// Check records in this process only (the default without Redis). Expired records are invisible at once and are
/// removed every <see cref="SweepEvery"/> saves, inline, so no background loop needs stopping.
/// </summary>
public sealed class InProcessCheckRecordStore(TimeProvider time) : ICheckRecordStore
{
    internal const int SweepEvery = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _records = new(StringComparer.Ordinal);
    private long _saves;

    public InProcessCheckRecordStore()
        : this(TimeProvider.System)
    {
    }

    internal int Count => _records.Count;

    public Task SaveAsync(CheckRecord record, TimeSpan keep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var expiresAt = time.GetUtcNow() + keep;
        // Saving a record again (a comment reported twice in full) keeps the report it already carries, as Redis does.
        _records.AddOrUpdate(
            record.CheckId,
            static (_, state) => new Entry(state.record, state.expiresAt),
            static (_, existing, state) => new Entry(state.record, state.expiresAt) { Report = existing.ExpiresAt > state.now ? existing.Report : null },
            (record, expiresAt, now: time.GetUtcNow()));
        if (Interlocked.Increment(ref _saves) % SweepEvery == 0)
        {
            var now = time.GetUtcNow();
            foreach (var (id, entry) in _records)
            {
                if (entry.ExpiresAt <= now)
                {
                    _records.TryRemove(id, out _);
                }
            }
        }

        return Task.CompletedTask;
    }

    public void AttachReceipt(string checkId, CheckReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        if (Live(checkId) is { } entry)
        {
            entry.Record = entry.Record with { Receipt = receipt };
        }
    }

    public Task<CheckRecord?> GetAsync(string checkId, CancellationToken cancellationToken) =>
        Task.FromResult(Live(checkId)?.Record);

    public Task<ReportOutcome> ReportAsync(string checkId, string site, ReportLabel label, DateTimeOffset at, string entryId, CancellationToken cancellationToken)
    {
        var entry = Live(checkId);
        if (entry is null)
        {
            return Task.FromResult(new ReportOutcome(ReportOutcomeKind.NotFound));
        }

        if (!string.Equals(entry.Record.Site, site, StringComparison.Ordinal))
        {
            return Task.FromResult(new ReportOutcome(ReportOutcomeKind.OtherSite, entry.Record));
        }

        lock (entry)
        {
            var previous = entry.Report;
            if (previous?.Label == label)
            {
                return Task.FromResult(new ReportOutcome(ReportOutcomeKind.Repeated, entry.Record, previous));
            }

            entry.Report = new CheckReport(label, at, entryId, previous is null ? null : previous with { Replaced = null });
            return Task.FromResult(previous is null
                ? new ReportOutcome(ReportOutcomeKind.Recorded, entry.Record)
                : new ReportOutcome(ReportOutcomeKind.Corrected, entry.Record, previous));
        }
    }

    public Task<long> EraseAsync(IReadOnlySet<string> pseudonyms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pseudonyms);
        long erased = 0;
        foreach (var (id, entry) in _records)
        {
            if (entry.Record.Subjects.Any(s => pseudonyms.Contains(s.Pseudonym)) && _records.TryRemove(id, out _))
            {
                erased++;
            }
        }

        return Task.FromResult(erased);
    }

    private Entry? Live(string checkId) =>
        _records.TryGetValue(checkId, out var entry) && entry.ExpiresAt > time.GetUtcNow() ? entry : null;

    private sealed class Entry(CheckRecord record, DateTimeOffset expiresAt)
    {
        // Replaced whole (a reference write) when the receipt is attached, so readers see the record before or after.
        public CheckRecord Record { get; set; } = record;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public CheckReport? Report { get; set; }
    }
}
