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

public sealed class ExampleRetentionSweepTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-sweep-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Sweep_DropsExamplesOlderThanTheRetention_AndKeepsTheRest()
    {
        using var store = new JsonlLabelledExampleStore(Path.Combine(_dir, "examples.jsonl"));
        var now = DateTimeOffset.UtcNow;
        await store.AppendAsync(new LabelledExample("old", "c1", "s", ReportLabel.Spam, now.AddDays(-181), "old text", ""), CancellationToken.None);
        await store.AppendAsync(new LabelledExample("new", "c2", "s", ReportLabel.Ham, now.AddDays(-1), "new text", "") { Pseudonyms = ["ip:x"] }, CancellationToken.None);
        var sweep = new ExampleRetentionSweep(store, Microsoft.Extensions.Options.Options.Create(new FeedbackOptions()), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ExampleRetentionSweep>.Instance);

        var dropped = await sweep.SweepAsync(CancellationToken.None);
        var again = await sweep.SweepAsync(CancellationToken.None);

        Assert.Equal(1, dropped);
        Assert.Equal(0, again);
        var left = new List<LabelledExample>();
        await foreach (var example in store.ReadAllAsync(CancellationToken.None))
        {
            left.Add(example);
        }

        Assert.Equal("new", Assert.Single(left).EntryId);
        Assert.Equal(["ip:x"], left[0].Pseudonyms);
    }
}
