using System.Globalization;
using Microsoft.Data.Sqlite;

namespace SpamGuard.Embedded;

/// <summary>
/// The version of each store's tables, kept in the file itself ("schema_version"), so a later release can tell what it
/// opened and migrate it, and an older release refuses a file written by a newer one instead of misreading it.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Creates the store's tables when the file has none, and refuses a file of a newer version.</summary>
    /// <param name="store">The store's name in the version table.</param>
    /// <param name="version">The version <paramref name="create"/> makes.</param>
    /// <param name="create">DDL creating version <paramref name="version"/> (it may use IF NOT EXISTS).</param>
    public static void Ensure(SqliteConnection connection, string store, int version, string create)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var transaction = connection.BeginTransaction();
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (store TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT;";
            command.ExecuteNonQuery();
        }

        long? found;
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT version FROM schema_version WHERE store = $store;";
            command.Parameters.AddWithValue("$store", store);
            found = command.ExecuteScalar() is long v ? v : null;
        }

        if (found > version)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The {store} tables in {connection.DataSource} are version {found}, newer than this release reads ({version}). Run the newer release, or move the file aside."));
        }

        if (found == version)
        {
            transaction.Commit();
            return;
        }

        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = create;
            command.ExecuteNonQuery();
        }

        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO schema_version (store, version) VALUES ($store, $version) ON CONFLICT(store) DO UPDATE SET version = excluded.version;";
            command.Parameters.AddWithValue("$store", store);
            command.Parameters.AddWithValue("$version", version);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
