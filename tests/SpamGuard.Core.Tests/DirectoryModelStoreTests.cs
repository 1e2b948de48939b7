using SpamGuard.Core.Models;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Core.Tests;

public sealed class DirectoryModelStoreTests : ModelStoreContract, IDisposable
{
    private readonly List<DirectoryInfo> _directories = [];
    private readonly List<DirectoryModelStore> _stores = [];

    protected override Task<IModelStore> EmptyStoreAsync()
    {
        var directory = Directory.CreateTempSubdirectory("spamguard-models-");
        _directories.Add(directory);
        // A sub-directory that does not exist yet: the store creates it on the first write.
        var store = new DirectoryModelStore(Path.Combine(directory.FullName, "models"));
        _stores.Add(store);
        return Task.FromResult<IModelStore>(store);
    }

    [Fact]
    public async Task ZipWithoutItsCard_IsNotAVersionYet()
    {
        var directory = Directory.CreateTempSubdirectory("spamguard-models-");
        _directories.Add(directory);
        using var store = new DirectoryModelStore(directory.FullName);
        await File.WriteAllBytesAsync(Path.Combine(directory.FullName, "spamguard-2.0.0.zip"), [1, 2, 3]);

        Assert.Null(await store.GetAsync("spamguard-2.0.0", CancellationToken.None));
        Assert.Empty(await store.ListAsync(CancellationToken.None));
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        foreach (var directory in _directories)
        {
            directory.Delete(recursive: true);
        }
    }
}
