namespace SpamGuard.Embedded.Tests;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("spamguard-sqlite-").FullName;

    [Fact]
    public void A_new_database_file_is_readable_by_its_owner_only_and_uses_wal()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "nested", "state.db"));

        Assert.True(File.Exists(database.Path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database.Path));
        }

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)command.ExecuteScalar());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
