using System.Text;
using SpamGuard.Core.Models;

namespace SpamGuard.Testing.Contracts;

/// <summary>What every <see cref="IModelStore"/> must do: the registry of every node relies on it.</summary>
public abstract class ModelStoreContract
{
    private static readonly byte[] Zip = Encoding.ASCII.GetBytes("PK not really a zip");

    protected abstract Task<IModelStore> EmptyStoreAsync();

    [Fact]
    public async Task StoredVersion_IsReadBackByItselfAndInTheList()
    {
        var store = await EmptyStoreAsync();
        await store.PutAsync("spamguard-1.0.0", Zip, """{"version":"1.0.0"}""", CancellationToken.None);
        await store.PutAsync("spamguard-1.1.0", Zip, """{"version":"1.1.0"}""", CancellationToken.None);

        var one = await store.GetAsync("spamguard-1.0.0", CancellationToken.None);

        Assert.NotNull(one);
        Assert.Equal("spamguard-1.0.0", one.Version);
        Assert.Equal("""{"version":"1.0.0"}""", one.CardJson);
        Assert.Equal(Zip, await store.GetZipAsync("spamguard-1.0.0", CancellationToken.None));
        var listed = await store.ListAsync(CancellationToken.None);
        Assert.Equal(2, listed.Count);
        Assert.Equal(one, Assert.Single(listed, m => m.Version == "spamguard-1.0.0"));
    }

    [Fact]
    public async Task UnknownVersion_IsNull_AndAMalformedNameIsRefused()
    {
        var store = await EmptyStoreAsync();
        await store.PutAsync("spamguard-1.0.0", Zip, "{}", CancellationToken.None);

        Assert.Null(await store.GetAsync("spamguard-9.9.9", CancellationToken.None));
        Assert.Null(await store.GetZipAsync("spamguard-9.9.9", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync("../etc/passwd", CancellationToken.None));
    }

    [Fact]
    public async Task StoringAVersionAgain_ChangesNothing()
    {
        var store = await EmptyStoreAsync();
        await store.PutAsync("spamguard-1.0.0", Zip, """{"first":true}""", CancellationToken.None);

        await store.PutAsync("spamguard-1.0.0", Encoding.ASCII.GetBytes("other"), """{"first":false}""", CancellationToken.None);

        Assert.Equal("""{"first":true}""", (await store.GetAsync("spamguard-1.0.0", CancellationToken.None))?.CardJson);
        Assert.Equal(Zip, await store.GetZipAsync("spamguard-1.0.0", CancellationToken.None));
    }

    [Fact]
    public async Task Activation_KeepsThePreviousVersionForRollback()
    {
        var store = await EmptyStoreAsync();

        Assert.Equal(new ModelActivation(null, null), await store.GetActivationAsync(CancellationToken.None));
        await store.ActivateAsync("spamguard-1.0.0", CancellationToken.None);
        var second = await store.ActivateAsync("spamguard-1.1.0", CancellationToken.None);
        var again = await store.ActivateAsync("spamguard-1.1.0", CancellationToken.None);

        Assert.Equal(new ModelActivation("spamguard-1.1.0", "spamguard-1.0.0"), second);
        Assert.Equal(second, again);
        Assert.Equal(second, await store.GetActivationAsync(CancellationToken.None));
    }
}
