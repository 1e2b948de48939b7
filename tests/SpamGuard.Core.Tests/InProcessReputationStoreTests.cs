using SpamGuard.Core.Reputation;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Core.Tests;

public sealed class InProcessReputationStoreTests : ReputationStoreContract
{
    protected override Task<IReputationStore> StoreAsync() => Task.FromResult<IReputationStore>(new InProcessReputationStore());

    [Fact]
    public async Task SubjectsIdleLongerThanTheRetention_AreSweptOut()
    {
        var store = new InProcessReputationStore(new FixedTime(Noon));
        await store.RecordCheckAsync([new ReputationSubject(SubjectKind.Ip, "ip:old")], "https://blog.example/", false, Noon.AddDays(-40), CancellationToken.None);
        var recent = new ReputationSubject(SubjectKind.Ip, "ip:recent");

        for (var i = 1; i < InProcessReputationStore.SweepEvery; i++)
        {
            await store.RecordCheckAsync([recent], "https://blog.example/", false, Noon, CancellationToken.None);
        }

        Assert.Equal(1, store.SubjectCount);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
