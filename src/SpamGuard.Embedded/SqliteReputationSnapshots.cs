using Microsoft.Data.Sqlite;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Embedded;

/// <summary>
/// The embedded default's reputation on disk: one row per subject holding the in-process store's serialized entry
/// (<see cref="InProcessReputationStore.TakeChanges"/>), keyed by the subject's pseudonym, never a raw address. The
/// store in memory answers every check; this table is written behind it and read once at start.
/// </summary>
internal sealed class SqliteReputationSnapshots
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS reputation (
            kind INTEGER NOT NULL,
            pseudonym TEXT NOT NULL,
            last_write INTEGER NOT NULL,
            state BLOB NOT NULL,
            PRIMARY KEY (kind, pseudonym)
        ) STRICT, WITHOUT ROWID;
        """;

    private readonly SqliteDatabase _database;

    /// <summary>The file the table is in.</summary>
    public string Path => _database.Path;

    public SqliteReputationSnapshots(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        using var connection = database.Open();
        SqliteSchema.Ensure(connection, "reputation", 1, Schema);
    }

    /// <summary>Writes the changed subjects and deletes the gone ones, in one transaction.</summary>
    public void Write(IReadOnlyList<SubjectChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return;
        }

        using var connection = _database.Open();
        using (var secure = connection.CreateCommand())
        {
            // A replaced or deleted entry's old bytes are overwritten, so an erased pseudonym leaves no readable copy.
            secure.CommandText = "PRAGMA secure_delete=ON;";
            secure.ExecuteNonQuery();
        }

        var erased = false;
        using var transaction = connection.BeginTransaction();
        using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText = """
            INSERT INTO reputation (kind, pseudonym, last_write, state) VALUES ($kind, $pseudonym, $lastWrite, $state)
            ON CONFLICT(kind, pseudonym) DO UPDATE SET last_write = excluded.last_write, state = excluded.state;
            """;
        var kind = upsert.Parameters.Add("$kind", SqliteType.Integer);
        var pseudonym = upsert.Parameters.Add("$pseudonym", SqliteType.Text);
        var lastWrite = upsert.Parameters.Add("$lastWrite", SqliteType.Integer);
        var state = upsert.Parameters.Add("$state", SqliteType.Blob);
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM reputation WHERE kind = $kind AND pseudonym = $pseudonym;";
        var deleteKind = delete.Parameters.Add("$kind", SqliteType.Integer);
        var deletePseudonym = delete.Parameters.Add("$pseudonym", SqliteType.Text);
        foreach (var change in changes)
        {
            if (change.State is null)
            {
                deleteKind.Value = (int)change.Subject.Kind;
                deletePseudonym.Value = change.Subject.Pseudonym;
                delete.ExecuteNonQuery();
                erased = true;
                continue;
            }

            kind.Value = (int)change.Subject.Kind;
            pseudonym.Value = change.Subject.Pseudonym;
            lastWrite.Value = change.LastWrite.ToUnixTimeSeconds();
            state.Value = change.State;
            upsert.ExecuteNonQuery();
        }

        transaction.Commit();
        if (erased)
        {
            // The WAL still holds the deleted row's pages until a checkpoint copies them back and truncates it.
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }
    }

    /// <summary>Loads every subject written within the retention into <paramref name="store"/>, deletes older rows,
    /// and returns how many were loaded.</summary>
    public int LoadInto(InProcessReputationStore store, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var connection = _database.Open();
        var oldest = (now - ReputationWindows.Retention).ToUnixTimeSeconds();
        using (var expire = connection.CreateCommand())
        {
            expire.CommandText = "DELETE FROM reputation WHERE last_write < $oldest;";
            expire.Parameters.AddWithValue("$oldest", oldest);
            expire.ExecuteNonQuery();
        }

        using var select = connection.CreateCommand();
        select.CommandText = "SELECT kind, pseudonym, state FROM reputation;";
        using var reader = select.ExecuteReader();
        var loaded = 0;
        while (reader.Read())
        {
            var subject = new ReputationSubject((SubjectKind)reader.GetInt32(0), reader.GetString(1));
            store.Restore(subject, (byte[])reader.GetValue(2));
            loaded++;
        }

        return loaded;
    }

    /// <summary>Rows on disk (tests and the erasure check).</summary>
    public long Count()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM reputation;";
        return (long)command.ExecuteScalar()!;
    }
}
