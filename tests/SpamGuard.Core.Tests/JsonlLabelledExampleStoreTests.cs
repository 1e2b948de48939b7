using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Core.Tests;

public sealed class JsonlLabelledExampleStoreTests : LabelledExampleStoreContract, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-examples-").FullName;
    private readonly List<JsonlLabelledExampleStore> _stores = [];

    public void Dispose()
    {
        _stores.ForEach(s => s.Dispose());
        Directory.Delete(_dir, recursive: true);
    }

    protected override Task<ILabelledExampleStore> EmptyStoreAsync()
    {
        var store = new JsonlLabelledExampleStore(Path.Combine(_dir, Guid.NewGuid().ToString("N"), "examples.jsonl"));
        _stores.Add(store);
        return Task.FromResult<ILabelledExampleStore>(store);
    }

    [Fact]
    public async Task LineCutShortByACrash_IsSkipped_AndLaterAppendsStillRead()
    {
        var store = (JsonlLabelledExampleStore)await EmptyStoreAsync();
        var example = new LabelledExample("e1", "a", "https://blog.example/", ReportLabel.Spam, DateTimeOffset.UnixEpoch, "x", "");
        await store.AppendAsync(example, CancellationToken.None);
        await File.AppendAllTextAsync(store.Path, "{\"check_id\":\"b\",\"si");
        await File.AppendAllTextAsync(store.Path, "\n");
        await store.AppendAsync(example with { EntryId = "e2", CheckId = "c" }, CancellationToken.None);

        var read = await store.LatestPerCheck(CancellationToken.None);

        Assert.Equal(["a", "c"], read.Select(e => e.CheckId));
    }

    [Fact]
    public async Task SecondInstanceOnTheSameFile_SeesEverything()
    {
        var path = Path.Combine(_dir, "shared.jsonl");
        using var first = new JsonlLabelledExampleStore(path);
        await first.AppendAsync(new LabelledExample("e1", "a", "s", ReportLabel.Ham, DateTimeOffset.UnixEpoch, "x", ""), CancellationToken.None);

        using var second = new JsonlLabelledExampleStore(path);

        Assert.Single(await second.LatestPerCheck(CancellationToken.None));
    }
}
