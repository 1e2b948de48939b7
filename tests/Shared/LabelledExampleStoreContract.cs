using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Testing.Contracts;

/// <summary>What every <see cref="ILabelledExampleStore"/> must do (compiled into the Core and the Redis test projects).</summary>
public abstract class LabelledExampleStoreContract
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A fresh, empty store each call.</summary>
    protected abstract Task<ILabelledExampleStore> EmptyStoreAsync();

    private static LabelledExample Example(int i, ReportLabel label = ReportLabel.Spam) =>
        new($"entry{i:D4}-{(int)label}", $"check{i:D4}", "https://blog.example/", label, Noon.AddSeconds(i), $"text {i} with ünïcode 👍 and \"quotes\"\nand a newline", "name_all_caps");

    [Fact]
    public async Task Appended_ReadBackInOrder()
    {
        var store = await EmptyStoreAsync();
        var examples = Enumerable.Range(0, 1234).Select(i => Example(i)).ToList();

        foreach (var example in examples)
        {
            await store.AppendAsync(example, CancellationToken.None);
        }

        var read = new List<LabelledExample>();
        await foreach (var example in store.ReadAllAsync(CancellationToken.None))
        {
            read.Add(example);
        }

        Assert.Equal(examples, read);
    }

    [Fact]
    public async Task Corrections_LatestPerCheckWins()
    {
        var store = await EmptyStoreAsync();

        await store.AppendAsync(Example(1), CancellationToken.None);
        await store.AppendAsync(Example(2), CancellationToken.None);
        await store.AppendAsync(Example(1, ReportLabel.Ham), CancellationToken.None);

        var latest = await store.LatestPerCheck(CancellationToken.None);

        Assert.Equal(["check0001", "check0002"], latest.Select(e => e.CheckId));
        Assert.Equal(ReportLabel.Ham, latest[0].Label);
    }

    [Fact]
    public async Task RemoveCheck_DeletesEveryExampleOfThatCheck_AndNoOthers()
    {
        var store = await EmptyStoreAsync();
        await store.AppendAsync(Example(1), CancellationToken.None);
        await store.AppendAsync(Example(2), CancellationToken.None);
        await store.AppendAsync(Example(1, ReportLabel.Ham), CancellationToken.None);

        var removed = await store.RemoveCheckAsync("check0001", CancellationToken.None);
        var again = await store.RemoveCheckAsync("check0001", CancellationToken.None);

        Assert.Equal((2, 0), (removed, again));
        Assert.Equal(["check0002"], (await store.LatestPerCheck(CancellationToken.None)).Select(e => e.CheckId));
    }

    [Fact]
    public async Task SameEntryTwice_IsKeptOnce()
    {
        var store = await EmptyStoreAsync();

        await store.AppendAsync(Example(1), CancellationToken.None);
        await store.AppendAsync(Example(1), CancellationToken.None);

        var count = 0;
        await foreach (var _ in store.ReadAllAsync(CancellationToken.None))
        {
            count++;
        }

        Assert.Equal(1, count);
    }

    [Fact]
    public async Task ConcurrentAppends_AreAllKept()
    {
        var store = await EmptyStoreAsync();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => store.AppendAsync(Example(i), CancellationToken.None)));

        Assert.Equal(200, (await store.LatestPerCheck(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Erase_DeletesTheExamplesCarryingAPseudonym_AndNoOthers()
    {
        var store = await EmptyStoreAsync();
        await store.AppendAsync(Example(1) with { Pseudonyms = ["email:PERSON", "ip:X"] }, CancellationToken.None);
        await store.AppendAsync(Example(2) with { Pseudonyms = ["email:SOMEONE-ELSE"] }, CancellationToken.None);
        await store.AppendAsync(Example(3), CancellationToken.None);

        var erased = await store.EraseAsync(new HashSet<string>(StringComparer.Ordinal) { "email:PERSON" }, CancellationToken.None);

        Assert.Equal(1, erased);
        var left = new List<LabelledExample>();
        await foreach (var example in store.ReadAllAsync(CancellationToken.None))
        {
            left.Add(example);
        }

        Assert.Equal(["check0002", "check0003"], left.Select(e => e.CheckId));
        Assert.Equal(["email:SOMEONE-ELSE"], left[0].Pseudonyms);
    }
}
