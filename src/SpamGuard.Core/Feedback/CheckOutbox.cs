using System.Collections.Concurrent;

namespace SpamGuard.Core.Feedback;

/// <summary>A check record waiting in the outbox, and until when it is kept (its retention, from the check).</summary>
public sealed record OutboxEntry(CheckRecord Record, DateTimeOffset KeepUntil);

/// <summary>
/// Check records the shared store could not take (down, or past its timeout), kept on local disk until it answers
/// again so that a check made during an outage can still be reported. One owner-only JSON-lines file
/// (checks.outbox.jsonl under Feedback:DataDirectory) written through before a check is answered, read back at start,
/// so the outbox survives a restart; records are pseudonymised as the store keeps them. Keyed by check id (the last
/// line of an id wins), bounded by <see cref="Capacity"/>.
/// </summary>
public sealed class CheckOutbox : IDisposable
{
    public const string FileName = "checks.outbox.jsonl";

    private readonly JsonLinesFile<OutboxEntry> _file;
    private readonly ConcurrentDictionary<string, OutboxEntry> _entries = new(StringComparer.Ordinal);
    private bool _stale;

    public CheckOutbox(string directory, int capacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _file = new JsonLinesFile<OutboxEntry>(System.IO.Path.Combine(directory, FileName));
        foreach (var entry in _file.ReadAll())
        {
            _entries[entry.Record.CheckId] = entry;
        }

        // The serializer builds its contract for these types on first use, which costs a check during an outage a
        // noticeable pause; pay it at start instead.
        _ = System.Text.Json.JsonSerializer.Serialize(
            new OutboxEntry(new CheckRecord("", "", default, [], "", "", false, new CheckReceipt(Scoring.Verdict.Ham, 0, "", [])), default),
            JsonLinesFile<OutboxEntry>.Json);
    }

    public int Capacity { get; }

    public int Count => _entries.Count;

    public string Path => _file.Path;

    public OutboxEntry? Find(string checkId) => _entries.GetValueOrDefault(checkId);

    /// <summary>A snapshot of what is waiting.</summary>
    public IReadOnlyList<OutboxEntry> Entries => [.. _entries.Values];

    /// <summary>Keeps <paramref name="record"/> (replacing a waiting copy of the same check); false when full.</summary>
    public async Task<bool> TryKeepAsync(CheckRecord record, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var entry = new OutboxEntry(record, keepUntil);
        if (_entries.Count >= Capacity && !_entries.ContainsKey(record.CheckId))
        {
            return false;
        }

        // In memory first: a rewrite racing with this append then keeps it too (a duplicate line is harmless).
        _entries[record.CheckId] = entry;
        try
        {
            await _file.AppendAsync(entry, cancellationToken);
        }
        catch
        {
            _entries.TryRemove(KeyValuePair.Create(record.CheckId, entry));
            throw;
        }

        return true;
    }

    /// <summary>Adds the receipt to a waiting record; false when the check is not in the outbox.</summary>
    public async Task<bool> AttachReceiptAsync(string checkId, CheckReceipt receipt, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(checkId, out var entry))
        {
            return false;
        }

        var updated = entry with { Record = entry.Record with { Receipt = receipt } };
        if (!_entries.TryUpdate(checkId, updated, entry))
        {
            return false;
        }

        await _file.AppendAsync(updated, cancellationToken);
        return true;
    }

    /// <summary>Forgets <paramref name="entry"/> once the store holds it (or it expired); a newer copy of the same
    /// check (a receipt attached meanwhile) stays for the next flush.</summary>
    public void Forget(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_entries.TryRemove(KeyValuePair.Create(entry.Record.CheckId, entry)))
        {
            Volatile.Write(ref _stale, true);
        }
    }

    /// <summary>Forgets whatever copy of the check is waiting (the store has just taken a newer one).</summary>
    public void Forget(string checkId)
    {
        if (_entries.TryRemove(checkId, out _))
        {
            Volatile.Write(ref _stale, true);
        }
    }

    /// <summary>Whether the file still holds records that were forgotten (<see cref="CompactAsync"/> drops them).</summary>
    public bool IsStale => Volatile.Read(ref _stale);

    /// <summary>Removes every record whose subjects include one of <paramref name="pseudonyms"/>, from memory and disk.</summary>
    public async Task<long> EraseAsync(IReadOnlySet<string> pseudonyms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pseudonyms);
        long erased = 0;
        foreach (var (id, entry) in _entries)
        {
            if (entry.Record.Subjects.Any(s => pseudonyms.Contains(s.Pseudonym)) && _entries.TryRemove(KeyValuePair.Create(id, entry)))
            {
                erased++;
            }
        }

        // Always: the file may still hold a copy forgotten since the last compaction, which a restart would bring back.
        await CompactAsync(cancellationToken);
        return erased;
    }

    /// <summary>Rewrites the file with what is still waiting (deleting it when nothing is).</summary>
    public Task CompactAsync(CancellationToken cancellationToken) => _file.RewriteAsync(() =>
    {
        Volatile.Write(ref _stale, false);
        return [.. _entries.Values];
    }, cancellationToken);

    public void Dispose() => _file.Dispose();
}
