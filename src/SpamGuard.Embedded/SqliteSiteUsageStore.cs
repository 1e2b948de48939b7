using Microsoft.Data.Sqlite;
using SpamGuard.Core.Keys;

namespace SpamGuard.Embedded;

/// <summary>
/// Usage counters on disk for the embedded default, one row per key, month, site and kind. Months older than
/// <see cref="SiteUsageCounter.Retention"/> are deleted as new counts arrive, so the table stays small.
/// </summary>
internal sealed class SqliteSiteUsageStore : ISiteUsageStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS site_usage (
            key_id TEXT NOT NULL,
            month TEXT NOT NULL,
            site TEXT NOT NULL,
            kind INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (key_id, month, site, kind)
        ) STRICT, WITHOUT ROWID;
        """;

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    public SqliteSiteUsageStore(SqliteDatabase database, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        _database = database;
        _time = time;
        using var connection = database.Open();
        SqliteSchema.Ensure(connection, "site_usage", 1, Schema);
    }

    public async Task AddAsync(IReadOnlyDictionary<UsageCell, long> increments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(increments);
        await using var connection = _database.Open();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var add = connection.CreateCommand())
        {
            add.Transaction = transaction;
            add.CommandText = """
                INSERT INTO site_usage (key_id, month, site, kind, count) VALUES ($key, $month, $site, $kind, $count)
                ON CONFLICT(key_id, month, site, kind) DO UPDATE SET count = count + excluded.count;
                """;
            var key = add.Parameters.Add("$key", SqliteType.Text);
            var month = add.Parameters.Add("$month", SqliteType.Text);
            var site = add.Parameters.Add("$site", SqliteType.Text);
            var kind = add.Parameters.Add("$kind", SqliteType.Integer);
            var count = add.Parameters.Add("$count", SqliteType.Integer);
            foreach (var (cell, increment) in increments)
            {
                key.Value = cell.KeyId;
                month.Value = cell.Month;
                site.Value = cell.Site;
                kind.Value = (int)cell.Kind;
                count.Value = increment;
                await add.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await using (var expire = connection.CreateCommand())
        {
            expire.Transaction = transaction;
            expire.CommandText = "DELETE FROM site_usage WHERE month < $oldest;";
            expire.Parameters.AddWithValue("$oldest", SiteUsageCounter.MonthOf(_time.GetUtcNow() - SiteUsageCounter.Retention));
            await expire.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<SiteUsage>> ReadAsync(string keyId, string month, CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT site, kind, count FROM site_usage WHERE key_id = $key AND month = $month;";
        command.Parameters.AddWithValue("$key", keyId);
        command.Parameters.AddWithValue("$month", month);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var cells = new List<KeyValuePair<UsageCell, long>>();
        while (await reader.ReadAsync(cancellationToken))
        {
            cells.Add(new(new UsageCell(keyId, month, reader.GetString(0), (UsageKind)reader.GetInt32(1)), reader.GetInt64(2)));
        }

        return SiteUsageCounter.Tabulate(cells);
    }
}
