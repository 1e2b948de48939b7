using System.Text.Json;
using Microsoft.Data.Sqlite;
using SpamGuard.Core.Keys;

namespace SpamGuard.Embedded;

/// <summary>
/// Site keys on disk for the embedded default, so a restart keeps them: without this a restarted server knew no key and
/// let keyless calls in (issue 17). Like every key store it holds only each key's SHA-256.
/// </summary>
internal sealed class SqliteSiteKeyStore : ISiteKeyStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS site_keys (
            id TEXT PRIMARY KEY,
            key_hash TEXT NOT NULL UNIQUE,
            sites TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        ) STRICT;
        """;

    private readonly SqliteDatabase _database;

    public SqliteSiteKeyStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        using var connection = database.Open();
        SqliteSchema.Ensure(connection, "site_keys", 1, Schema);
    }

    public async Task AddAsync(SiteKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO site_keys (id, key_hash, sites, created_at, revoked_at) VALUES ($id, $hash, $sites, $created, $revoked)
            ON CONFLICT(id) DO UPDATE SET key_hash = excluded.key_hash, sites = excluded.sites, created_at = excluded.created_at, revoked_at = excluded.revoked_at;
            """;
        command.Parameters.AddWithValue("$id", key.Id);
        command.Parameters.AddWithValue("$hash", key.KeyHash);
        command.Parameters.AddWithValue("$sites", JsonSerializer.Serialize(key.Sites));
        command.Parameters.AddWithValue("$created", key.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$revoked", key.RevokedAt is { } r ? r.ToUnixTimeMilliseconds() : DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<SiteKey?> FindByHashAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, key_hash, sites, created_at, revoked_at FROM site_keys WHERE key_hash = $hash;";
        command.Parameters.AddWithValue("$hash", keyHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<SiteKey>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, key_hash, sites, created_at, revoked_at FROM site_keys ORDER BY created_at, id;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<SiteKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(Read(reader));
        }

        return keys;
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = _database.Open();
        await using var command = connection.CreateCommand();
        // Revoking again keeps the first time; the answer is still "there is such a key".
        command.CommandText = "UPDATE site_keys SET revoked_at = coalesce(revoked_at, $at) WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static SiteKey Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        JsonSerializer.Deserialize<string[]>(reader.GetString(2)) ?? [],
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
}
