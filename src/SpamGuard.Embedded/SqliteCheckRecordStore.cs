using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Embedded;

/// <summary>
/// Check records on disk for the embedded default, so they take no RAM per check and survive a restart.
/// <para>
/// A check does not wait for a disk commit: <see cref="SaveAsync"/> puts the record in a pending map (which every read
/// consults first, so a record is readable at once) and its id in a bounded queue, and one writer drains the queue in
/// batched transactions. A full queue makes <see cref="SaveAsync"/> wait (backpressure), so memory stays bounded.
/// <see cref="StopAsync"/> completes the queue and writes everything accepted before it returns; after it, saves are
/// written directly.
/// </para>
/// <para>
/// At most <c>maxRecords</c> rows are kept: past it the oldest saved go first, counted by the evicted-records metric,
/// and a report on one finds no check. Deletes overwrite the freed space (secure_delete), and an erasure checkpoints
/// and truncates the WAL, so erased rows do not linger in either file.
/// </para>
/// </summary>
internal sealed partial class SqliteCheckRecordStore : ICheckRecordStore, IAsyncDisposable
{
    internal const int QueueCapacity = 8192;
    internal const int BatchSize = 512;
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS checks (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            site TEXT NOT NULL,
            checked_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            subjects TEXT NOT NULL,
            content TEXT NOT NULL,
            author_shape TEXT NOT NULL,
            model_spam INTEGER NOT NULL,
            receipt BLOB,
            report_label INTEGER,
            report_at INTEGER,
            report_entry TEXT,
            replaced_label INTEGER,
            replaced_at INTEGER
        ) STRICT;
        CREATE INDEX IF NOT EXISTS checks_expires_at ON checks (expires_at);
        """;

    private const string Columns = "id, site, checked_at, subjects, content, author_shape, model_spam, receipt, report_label, report_at, report_entry, replaced_label, replaced_at";

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly int _maxRecords;
    private readonly SpamGuardMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly StoredReceiptCodec _receipts = new();
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly Channel<string> _queue = Channel.CreateBounded<string>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    // One writer to the file at a time: the batch writer, a report, an erasure. Reads need no turn (WAL).
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Task _writer;
    private long _count;
    private DateTimeOffset _sweptAt;
    private int _stopped;

    public SqliteCheckRecordStore(SqliteDatabase database, TimeProvider time, int maxRecords, SpamGuardMetrics? metrics, ILogger<SqliteCheckRecordStore> logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        _database = database;
        _time = time;
        _maxRecords = maxRecords;
        _metrics = metrics;
        _logger = logger;
        using (var connection = Open())
        {
            SqliteSchema.Ensure(connection, "checks", 1, Schema + StoredReceiptCodec.Schema);
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM checks;";
            _count = (long)count.ExecuteScalar()!;
        }

        _sweptAt = time.GetUtcNow();
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Rows on disk (not counting records still queued).</summary>
    internal long StoredCount => Interlocked.Read(ref _count);

    /// <summary>Records accepted and not yet written.</summary>
    internal int QueuedCount => _pending.Count;

    public async Task SaveAsync(CheckRecord record, TimeSpan keep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var pending = new Pending(record, _time.GetUtcNow() + keep, null);
        if (Volatile.Read(ref _stopped) == 0)
        {
            _pending[record.CheckId] = pending;
            try
            {
                await _queue.Writer.WriteAsync(record.CheckId, cancellationToken);
                return;
            }
            catch (ChannelClosedException)
            {
                // Stopped while this save waited: written below, as every save after the stop is.
            }
            catch (OperationCanceledException)
            {
                _pending.TryRemove(new KeyValuePair<string, Pending>(record.CheckId, pending));
                throw;
            }
        }

        await _turn.WaitAsync(cancellationToken);
        try
        {
            WriteBatch([record.CheckId], [], extra: pending);
        }
        finally
        {
            _turn.Release();
        }
    }

    public void AttachReceipt(string checkId, CheckReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        while (true)
        {
            if (_pending.TryGetValue(checkId, out var pending))
            {
                // Still queued (the usual case: the check saved it a moment ago): the writer takes the new version; if
                // it is writing the old one now, it sees the change when it clears the entry and writes it again.
                var updated = pending.Record is { } record ? pending with { Record = record with { Receipt = receipt } } : pending with { Receipt = receipt };
                if (_pending.TryUpdate(checkId, updated, pending))
                {
                    return;
                }

                continue;
            }

            var attach = new Pending(null, DateTimeOffset.MaxValue, receipt);
            if (!_pending.TryAdd(checkId, attach))
            {
                continue;
            }

            if (Volatile.Read(ref _stopped) != 0 || !_queue.Writer.TryWrite(checkId))
            {
                // Best effort by contract: the record keeps no receipt rather than the check waiting.
                _pending.TryRemove(new KeyValuePair<string, Pending>(checkId, attach));
                _metrics?.CheckRecordWriteDropped();
                LogReceiptDropped(_logger);
            }

            return;
        }
    }

    public Task<CheckRecord?> GetAsync(string checkId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_pending.TryGetValue(checkId, out var pending) && pending.Record is { } queued)
        {
            return Task.FromResult(pending.ExpiresAt > now ? queued : null);
        }

        using var connection = Open();
        var stored = Read(connection, null, checkId, now);
        if (stored is null)
        {
            return Task.FromResult<CheckRecord?>(null);
        }

        // A receipt attached after the record was written and not yet written itself.
        return Task.FromResult<CheckRecord?>(pending?.Receipt is { } receipt ? stored.Record with { Receipt = receipt } : stored.Record);
    }

    public async Task<ReportOutcome> ReportAsync(string checkId, string site, ReportLabel label, DateTimeOffset at, string entryId, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            // A record still queued is written now, so the report is decided and kept in the file like any other.
            if (_pending.ContainsKey(checkId))
            {
                WriteBatch([checkId], []);
            }

            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            var stored = Read(connection, transaction, checkId, _time.GetUtcNow());
            if (stored is null)
            {
                return new ReportOutcome(ReportOutcomeKind.NotFound);
            }

            if (!string.Equals(stored.Record.Site, site, StringComparison.Ordinal))
            {
                return new ReportOutcome(ReportOutcomeKind.OtherSite, stored.Record);
            }

            var previous = stored.Report;
            if (previous?.Label == label)
            {
                return new ReportOutcome(ReportOutcomeKind.Repeated, stored.Record, previous);
            }

            using (var update = connection.CreateCommand())
            {
                update.Transaction = transaction;
                update.CommandText = """
                    UPDATE checks SET report_label = $label, report_at = $at, report_entry = $entry, replaced_label = $replacedLabel, replaced_at = $replacedAt
                    WHERE id = $id;
                    """;
                update.Parameters.AddWithValue("$id", checkId);
                update.Parameters.AddWithValue("$label", (int)label);
                update.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                update.Parameters.AddWithValue("$entry", entryId);
                update.Parameters.AddWithValue("$replacedLabel", previous is null ? DBNull.Value : (int)previous.Label);
                update.Parameters.AddWithValue("$replacedAt", previous is null ? DBNull.Value : previous.At.ToUnixTimeMilliseconds());
                update.ExecuteNonQuery();
            }

            transaction.Commit();
            return previous is null
                ? new ReportOutcome(ReportOutcomeKind.Recorded, stored.Record)
                : new ReportOutcome(ReportOutcomeKind.Corrected, stored.Record, previous with { Replaced = null });
        }
        finally
        {
            _turn.Release();
        }
    }

    public async Task<long> EraseAsync(IReadOnlySet<string> pseudonyms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pseudonyms);
        await _turn.WaitAsync(cancellationToken);
        try
        {
            long erased = 0;
            foreach (var (id, pending) in _pending)
            {
                if (pending.Record is { } record && Names(record.Subjects, pseudonyms) && _pending.TryRemove(new KeyValuePair<string, Pending>(id, pending)))
                {
                    erased++;
                }
            }

            using var connection = Open();
            var doomed = new List<long>();
            using (var scan = connection.CreateCommand())
            {
                // An administrative call: a scan of the subjects column, bounded by the cap.
                scan.CommandText = "SELECT seq, subjects FROM checks;";
                using var reader = scan.ExecuteReader();
                while (reader.Read())
                {
                    if (Names(ReadSubjects(reader.GetString(1)), pseudonyms))
                    {
                        doomed.Add(reader.GetInt64(0));
                    }
                }
            }

            if (doomed.Count > 0)
            {
                using var transaction = connection.BeginTransaction();
                using var delete = connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM checks WHERE seq = $seq;";
                var seq = delete.Parameters.Add("$seq", SqliteType.Integer);
                foreach (var s in doomed)
                {
                    seq.Value = s;
                    erased += delete.ExecuteNonQuery();
                }

                transaction.Commit();
                Interlocked.Add(ref _count, -doomed.Count);
            }

            await TruncateWalAsync(connection, cancellationToken);
            return erased;
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Writes every record queued now, without waiting for the writer (tests and measurements).</summary>
    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            var carry = new List<string>();
            WriteBatch([.. _pending.Keys], carry);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Keeps the writer (and reports, erasures) from the file until disposed, so a test can see records that are
    /// still queued.</summary>
    internal async Task<IDisposable> HoldWritesAsync()
    {
        await _turn.WaitAsync();
        return new Held(_turn);
    }

    /// <summary>Writes everything accepted and stops the writer; later saves are written directly.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _queue.Writer.TryComplete();
        }

        await _writer;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _turn.Dispose();
    }

    private SqliteConnection Open()
    {
        var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA secure_delete=ON;";
        command.ExecuteNonQuery();
        return connection;
    }

    private async Task WriteLoopAsync()
    {
        var carry = new List<string>();
        var reader = _queue.Reader;
        while (carry.Count > 0 || await reader.WaitToReadAsync())
        {
            var batch = carry;
            carry = [];
            var failed = false;
            // The turn first, then the ids: while a report or an erasure has the file, ids stay in the bounded queue.
            await _turn.WaitAsync();
            try
            {
                while (batch.Count < BatchSize && reader.TryRead(out var id))
                {
                    batch.Add(id);
                }

                WriteBatch(batch, carry);
                SweepIfDue();
            }
            catch (SqliteException ex)
            {
                // The records stay pending (readable) and are tried again; a full or read-only disk is the operator's to fix.
                LogWriteFailed(_logger, batch.Count, ex.SqliteErrorCode, ex.Message);
                carry.AddRange(batch);
                failed = true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not the disk but the records (none expected): retrying would stall every later check, so these go.
                LogBatchDropped(_logger, ex);
                foreach (var id in batch)
                {
                    if (_pending.TryRemove(id, out _))
                    {
                        _metrics?.CheckRecordWriteDropped();
                    }
                }
            }
            finally
            {
                _turn.Release();
            }

            if (failed)
            {
                await Task.Delay(RetryDelay);
            }
        }

        // Anything still pending (a receipt whose id could not be queued as the queue closed) is written now.
        if (!_pending.IsEmpty)
        {
            await _turn.WaitAsync();
            try
            {
                WriteBatch([.. _pending.Keys], []);
            }
            catch (SqliteException ex)
            {
                LogWriteFailed(_logger, _pending.Count, ex.SqliteErrorCode, ex.Message);
            }
            finally
            {
                _turn.Release();
            }
        }
    }

    /// <summary>Writes the pending versions of <paramref name="ids"/> in one transaction and evicts past the cap; an id
    /// whose pending version changed while it was written goes to <paramref name="carry"/>. Called on its turn.</summary>
    private void WriteBatch(List<string> ids, List<string> carry, Pending? extra = null)
    {
        var now = _time.GetUtcNow();
        var written = new List<KeyValuePair<string, Pending>>(ids.Count);
        long inserted = 0;
        long evicted = 0;
        using var connection = Open();
        using (var transaction = connection.BeginTransaction())
        {
            try
            {
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = """
                    INSERT OR IGNORE INTO checks (id, site, checked_at, expires_at, subjects, content, author_shape, model_spam, receipt)
                    VALUES ($id, $site, $checked, $expires, $subjects, $content, $shape, $spam, $receipt);
                    """;
                using var update = connection.CreateCommand();
                update.Transaction = transaction;
                // Saving a record again keeps the report it carries, unless the old one had expired (as Redis does).
                update.CommandText = """
                    UPDATE checks SET site = $site, checked_at = $checked, subjects = $subjects, content = $content, author_shape = $shape,
                        model_spam = $spam, receipt = $receipt, expires_at = $expires,
                        report_label = CASE WHEN expires_at > $now THEN report_label END,
                        report_at = CASE WHEN expires_at > $now THEN report_at END,
                        report_entry = CASE WHEN expires_at > $now THEN report_entry END,
                        replaced_label = CASE WHEN expires_at > $now THEN replaced_label END,
                        replaced_at = CASE WHEN expires_at > $now THEN replaced_at END
                    WHERE id = $id;
                    """;
                using var attach = connection.CreateCommand();
                attach.Transaction = transaction;
                attach.CommandText = "UPDATE checks SET receipt = $receipt WHERE id = $id AND expires_at > $now;";
                foreach (var id in ids.Distinct(StringComparer.Ordinal))
                {
                    Pending? pending = extra is not null && id == extra.Record?.CheckId ? extra : _pending.TryGetValue(id, out var p) ? p : null;
                    if (pending is null)
                    {
                        continue;
                    }

                    if (pending.Record is { } record)
                    {
                        Bind(insert, record, pending.ExpiresAt, connection, transaction);
                        if (insert.ExecuteNonQuery() == 1)
                        {
                            inserted++;
                        }
                        else
                        {
                            Bind(update, record, pending.ExpiresAt, connection, transaction);
                            update.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                            update.ExecuteNonQuery();
                        }
                    }
                    else
                    {
                        attach.Parameters.Clear();
                        attach.Parameters.AddWithValue("$id", id);
                        attach.Parameters.AddWithValue("$receipt", _receipts.Compact(pending.Receipt!, null, connection, transaction));
                        attach.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                        attach.ExecuteNonQuery();
                    }

                    if (!ReferenceEquals(pending, extra))
                    {
                        written.Add(new(id, pending));
                    }
                }

                var excess = Interlocked.Read(ref _count) + inserted - _maxRecords;
                if (excess > 0)
                {
                    using var evict = connection.CreateCommand();
                    evict.Transaction = transaction;
                    evict.CommandText = "DELETE FROM checks WHERE seq IN (SELECT seq FROM checks ORDER BY seq LIMIT $excess);";
                    evict.Parameters.AddWithValue("$excess", excess);
                    evicted = evict.ExecuteNonQuery();
                }

                transaction.Commit();
            }
            catch
            {
                _receipts.Forget();
                throw;
            }
        }

        Interlocked.Add(ref _count, inserted - evicted);
        if (evicted > 0)
        {
            _metrics?.CheckRecordsEvicted(evicted);
        }

        // Only now, with the rows committed, do reads stop finding them in the map.
        foreach (var entry in written)
        {
            if (!_pending.TryRemove(entry))
            {
                carry.Add(entry.Key);
            }
        }
    }

    private void Bind(SqliteCommand command, CheckRecord record, DateTimeOffset expiresAt, SqliteConnection connection, SqliteTransaction transaction)
    {
        command.Parameters.Clear();
        command.Parameters.AddWithValue("$id", record.CheckId);
        command.Parameters.AddWithValue("$site", record.Site);
        command.Parameters.AddWithValue("$checked", record.CheckedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$expires", expiresAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$subjects", WriteSubjects(record.Subjects));
        command.Parameters.AddWithValue("$content", record.Content);
        command.Parameters.AddWithValue("$shape", record.AuthorShape);
        command.Parameters.AddWithValue("$spam", record.ModelSaidSpam ? 1 : 0);
        command.Parameters.AddWithValue("$receipt", record.Receipt is { } r ? _receipts.Compact(r, record.Subjects, connection, transaction) : DBNull.Value);
    }

    private void SweepIfDue()
    {
        var now = _time.GetUtcNow();
        if (now - _sweptAt < SweepInterval)
        {
            return;
        }

        _sweptAt = now;
        using var connection = Open();
        using var sweep = connection.CreateCommand();
        sweep.CommandText = "DELETE FROM checks WHERE expires_at <= $now;";
        sweep.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        Interlocked.Add(ref _count, -sweep.ExecuteNonQuery());
    }

    private Stored? Read(SqliteConnection connection, SqliteTransaction? transaction, string checkId, DateTimeOffset now)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {Columns} FROM checks WHERE id = $id AND expires_at > $now;";
        command.Parameters.AddWithValue("$id", checkId);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var subjects = ReadSubjects(reader.GetString(3));
        var record = new CheckRecord(
            reader.GetString(0),
            reader.GetString(1),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
            subjects,
            reader.GetString(4),
            reader.GetString(5),
            reader.GetInt64(6) == 1,
            reader.IsDBNull(7) ? null : _receipts.Expand((byte[])reader.GetValue(7), subjects, connection));
        var report = reader.IsDBNull(8) ? null : new CheckReport(
            (ReportLabel)reader.GetInt64(8),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
            reader.GetString(10),
            reader.IsDBNull(11) ? null : new CheckReport((ReportLabel)reader.GetInt64(11), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12))));
        return new Stored(record, report);
    }

    // One "Kind pseudonym" per line: pseudonyms hold neither spaces nor line breaks (a prefix, base64url or hex), and
    // the kind's name, not its number, so a reordered enum cannot misread a file.
    private static string WriteSubjects(IReadOnlyList<ReputationSubject> subjects) =>
        string.Join('\n', subjects.Select(s => s.Kind.ToString() + " " + s.Pseudonym));

    private static List<ReputationSubject> ReadSubjects(string text) =>
        text.Length == 0 ? [] : [.. text.Split('\n').Select(line => line.Split(' ', 2)).Select(s => new ReputationSubject(Enum.Parse<SubjectKind>(s[0]), s[1]))];

    private static bool Names(IReadOnlyList<ReputationSubject> subjects, IReadOnlySet<string> pseudonyms) =>
        subjects.Any(s => pseudonyms.Contains(s.Pseudonym));

    /// <summary>Copies the WAL into the file and truncates it, so erased rows' old pages are gone from the WAL too; a
    /// reader holding an old snapshot makes SQLite answer busy, so it is tried a few times.</summary>
    private async Task TruncateWalAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            using var reader = checkpoint.ExecuteReader();
            if (reader.Read() && reader.GetInt64(0) == 0)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        LogCheckpointBusy(_logger);
    }

    private sealed class Held(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Release();
            }
        }
    }

    private sealed record Pending(CheckRecord? Record, DateTimeOffset ExpiresAt, CheckReceipt? Receipt);

    private sealed record Stored(CheckRecord Record, CheckReport? Report);

    [LoggerMessage(7001, LogLevel.Warning, "Writing {Records} check records to disk failed (SQLite error {Code}): {Reason}. They stay queued and are tried again.")]
    private static partial void LogWriteFailed(ILogger logger, int records, int code, string reason);

    [LoggerMessage(7004, LogLevel.Error, "A batch of check records could not be written and was dropped.")]
    private static partial void LogBatchDropped(ILogger logger, Exception exception);

    [LoggerMessage(7002, LogLevel.Debug, "A receipt was not attached to its stored check record: the write queue was full.")]
    private static partial void LogReceiptDropped(ILogger logger);

    [LoggerMessage(7003, LogLevel.Warning, "After an erasure the WAL could not be truncated (readers kept it busy); erased pages leave it at the next checkpoint.")]
    private static partial void LogCheckpointBusy(ILogger logger);
}
