using Microsoft.Extensions.Options;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Reputation;
using System.Collections.Concurrent;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// Check records in this process only (Core alone; the server's embedded default keeps them on disk). Expired records
/// are invisible at once and are removed every <see cref="SweepEvery"/> saves, inline, so no background loop needs
/// stopping. At most <see cref="FeedbackOptions.MaxCheckRecords"/> are kept: past it the oldest saved go first.
/// </summary>
public sealed class InProcessCheckRecordStore : ICheckRecordStore
{
    internal const int SweepEvery = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _records = new(StringComparer.Ordinal);

    // Save order, for eviction: an item whose entry was saved again since (another Seq) or removed is stale and skipped.
    private readonly Queue<(string Id, long Seq)> _order = new();
    private readonly Lock _saving = new();
    private readonly TimeProvider _time;
    private readonly int _maxRecords;
    private readonly SpamGuardMetrics? _metrics;
    private long _saves;

    // Kept under _saving, as every add and removal is: ConcurrentDictionary.Count takes every lock of the dictionary.
    private int _count;

    public InProcessCheckRecordStore()
        : this(TimeProvider.System)
    {
    }

    public InProcessCheckRecordStore(TimeProvider time)
        : this(time, new FeedbackOptions().MaxCheckRecords, null)
    {
    }

    public InProcessCheckRecordStore(TimeProvider time, IOptions<FeedbackOptions> options, SpamGuardMetrics metrics)
        : this(time, (options ?? throw new ArgumentNullException(nameof(options))).Value.MaxCheckRecords, metrics)
    {
    }

    internal InProcessCheckRecordStore(TimeProvider time, int maxRecords, SpamGuardMetrics? metrics)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        _time = time;
        _maxRecords = maxRecords;
        _metrics = metrics;
    }

    internal int Count => _records.Count;

    public Task SaveAsync(CheckRecord record, TimeSpan keep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var now = _time.GetUtcNow();
        var expiresAt = now + keep;
        long evicted = 0;
        lock (_saving)
        {
            var seq = ++_saves;
            if (!_records.ContainsKey(record.CheckId))
            {
                _count++;
            }

            // Saving a record again (a comment reported twice in full) keeps the report it already carries, as Redis does.
            _records.AddOrUpdate(
                record.CheckId,
                static (_, state) => new Entry(state.record, state.expiresAt, state.seq),
                static (_, existing, state) => new Entry(state.record, state.expiresAt, state.seq) { Report = existing.ExpiresAt > state.now ? existing.Report : null },
                (record, expiresAt, now, seq));
            _order.Enqueue((record.CheckId, seq));
            if (seq % SweepEvery == 0)
            {
                Sweep(now);
            }

            while (_count > _maxRecords && _order.TryDequeue(out var oldest))
            {
                if (_records.TryGetValue(oldest.Id, out var entry) && entry.Seq == oldest.Seq && _records.TryRemove(new KeyValuePair<string, Entry>(oldest.Id, entry)))
                {
                    _count--;
                    evicted++;
                }
            }
        }

        if (evicted > 0)
        {
            _metrics?.CheckRecordsEvicted(evicted);
        }

        return Task.CompletedTask;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (id, entry) in _records)
        {
            if (entry.ExpiresAt <= now && _records.TryRemove(id, out _))
            {
                _count--;
            }
        }

        // Drop the order's stale front so it does not outgrow the records when expiry, not the cap, removes them.
        while (_order.TryPeek(out var oldest) && !(_records.TryGetValue(oldest.Id, out var entry) && entry.Seq == oldest.Seq))
        {
            _order.Dequeue();
        }
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
        lock (_saving)
        {
            foreach (var (id, entry) in _records)
            {
                if (entry.Record.Subjects.Any(s => pseudonyms.Contains(s.Pseudonym)) && _records.TryRemove(id, out _))
                {
                    _count--;
                    erased++;
                }
            }
        }

        return Task.FromResult(erased);
    }

    private Entry? Live(string checkId) =>
        _records.TryGetValue(checkId, out var entry) && entry.ExpiresAt > _time.GetUtcNow() ? entry : null;

    private sealed class Entry(CheckRecord record, DateTimeOffset expiresAt, long seq)
    {
        public long Seq { get; } = seq;

        // Replaced whole (a reference write) when the receipt is attached, so readers see the record before or after.
        public CheckRecord Record { get; set; } = record;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public CheckReport? Report { get; set; }
    }
}
