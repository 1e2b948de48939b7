using SpamGuard.Core.Keys;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Embedded.Tests;

public sealed class SqliteSiteKeyStoreTests : SiteKeyStoreContract, IDisposable
{
    private readonly TempDirectory _directory = new();

    protected override Task<ISiteKeyStore> EmptyStoreAsync() =>
        Task.FromResult<ISiteKeyStore>(new SqliteSiteKeyStore(new SqliteDatabase(_directory.File(Guid.NewGuid().ToString("N") + ".db"))));

    [Fact]
    public async Task Keys_SurviveReopeningTheFile_RevokedOnesStayRevoked()
    {
        // Arrange
        var path = _directory.File("state.db");
        var service = new SiteKeyService(new SqliteSiteKeyStore(new SqliteDatabase(path)), TimeProvider.System);
        var (key, _) = await service.CreateAsync([new Uri("https://blog.example/")], CancellationToken.None);
        var (_, revoked) = await service.CreateAsync([new Uri("https://old.example/")], CancellationToken.None);
        var revokedAt = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await new SqliteSiteKeyStore(new SqliteDatabase(path)).RevokeAsync(revoked.Id, revokedAt, CancellationToken.None);

        // Act
        var reopened = new SqliteSiteKeyStore(new SqliteDatabase(path));
        var found = await reopened.FindByHashAsync(SiteKeyService.Hash(key), CancellationToken.None);
        var listed = await reopened.ListAsync(CancellationToken.None);

        // Assert
        Assert.NotNull(found);
        Assert.Equal(["https://blog.example/"], found.Sites);
        Assert.Equal(2, listed.Count);
        Assert.Equal(revokedAt, Assert.Single(listed, k => k.Id == revoked.Id).RevokedAt);
    }

    [Fact]
    public void AFileOfANewerSchema_IsRefusedWithAClearError()
    {
        var database = new SqliteDatabase(_directory.File("newer.db"));
        _ = new SqliteSiteKeyStore(database);
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE schema_version SET version = 99 WHERE store = 'site_keys';";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidOperationException>(() => new SqliteSiteKeyStore(database));

        Assert.Contains("version 99", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}

public sealed class SqliteSiteUsageStoreTests : SiteUsageStoreContract, IDisposable
{
    private readonly TempDirectory _directory = new();

    // The contract's months are fixed (2026-10, 2026-11): the clock is too, so the 400-day sweep keeps them whenever this runs.
    protected override Task<ISiteUsageStore> EmptyStoreAsync() =>
        Task.FromResult<ISiteUsageStore>(new SqliteSiteUsageStore(new SqliteDatabase(_directory.File(Guid.NewGuid().ToString("N") + ".db")), new SettableTime(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero))));

    public void Dispose() => _directory.Dispose();
}
