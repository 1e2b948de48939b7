using SpamGuard.Core.Keys;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Tests;

public sealed class SiteKeyGateTests
{
    private static readonly Uri Blog = new("https://blog.example/");

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>An in-process key store that can be taken down like Redis.</summary>
    private sealed class FlakyKeys : ISiteKeyStore
    {
        private readonly InProcessSiteKeyStore _inner = new();

        public bool Down { get; set; }

        public Task AddAsync(SiteKey key, CancellationToken cancellationToken) => Gate(() => _inner.AddAsync(key, cancellationToken));

        public Task<SiteKey?> FindByHashAsync(string keyHash, CancellationToken cancellationToken) => Gate(() => _inner.FindByHashAsync(keyHash, cancellationToken));

        public Task<IReadOnlyList<SiteKey>> ListAsync(CancellationToken cancellationToken) => Gate(() => _inner.ListAsync(cancellationToken));

        public Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) => Gate(() => _inner.RevokeAsync(id, at, cancellationToken));

        private T Gate<T>(Func<T> call) => Down ? throw new StoreUnavailableException("test outage") : call();
    }

    private static SiteKeyGate Gate(ISiteKeyStore store, TimeProvider time, SiteKeyOptions? options = null) =>
        new(store, time, Microsoft.Extensions.Options.Options.Create(options ?? new SiteKeyOptions()));

    /// <summary>A budget of failed verifications for one caller, counted.</summary>
    private sealed class CountingGuesses(int budget) : IKeyGuessLimiter
    {
        public int Failures { get; private set; }

        public int Asked { get; private set; }

        public bool MayVerify(out TimeSpan? retryAfter)
        {
            Asked++;
            retryAfter = TimeSpan.FromSeconds(6);
            return Failures < budget;
        }

        public void Failed() => Failures++;
    }

    [Fact]
    public async Task FindAsync_ChargesUnknownKeysToTheCallersBudget_RefusesLookupsOnceItIsGone_AndSparesKeysItVerified()
    {
        // Arrange
        var store = new InProcessSiteKeyStore();
        var time = new ManualTime();
        var (key, _) = await new SiteKeyService(store, time).CreateAsync([Blog], CancellationToken.None);
        var (unseen, _) = await new SiteKeyService(store, time).CreateAsync([Blog], CancellationToken.None);
        var guesses = new CountingGuesses(budget: 2);
        var gate = new SiteKeyGate(store, time, null, guesses);

        // Act
        var verified = await gate.FindAsync(key, CancellationToken.None);
        var first = await gate.FindAsync("0123456789ab", CancellationToken.None);
        var second = await gate.FindAsync("sg" + new string('a', 52), CancellationToken.None);
        var refused = await Assert.ThrowsAsync<SiteCallRefusedException>(() => gate.FindAsync(unseen, CancellationToken.None));
        time.Now += SiteKeyGate.CacheFor * 2;
        var stillVerified = await gate.FindAsync(key.ToUpperInvariant(), CancellationToken.None);

        // Assert
        Assert.NotNull(verified);
        Assert.Null(first);
        Assert.Null(second);
        Assert.Equal(2, guesses.Failures);
        Assert.Equal((SiteRefusal.RateLimited, true, TimeSpan.FromSeconds(6)), (refused.Reason, refused.KeyLookupsRefused, refused.RetryAfter));
        Assert.Equal(verified!.Id, stillVerified?.Id);
    }

    [Fact]
    public async Task StoreDownFromTheStart_KeylessCallsAreRefusedAsUnavailable_NotLetThrough()
    {
        var store = new FlakyKeys { Down = true };
        var gate = Gate(store, new ManualTime());

        await Assert.ThrowsAsync<StoreUnavailableException>(() => gate.DecideAsync(null, Blog, CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => gate.DecideAsync("sg-anything", Blog, CancellationToken.None));
    }

    [Fact]
    public async Task StoreReadFindingNoKeys_IsOpen_AndStaysOpenWhileTheStoreIsDown()
    {
        var store = new FlakyKeys();
        var time = new ManualTime();
        var gate = Gate(store, time);
        Assert.Equal(SiteAccess.Open, (await gate.DecideAsync(null, Blog, CancellationToken.None)).Access);

        store.Down = true;
        time.Now += SiteKeyGate.CacheFor * 3;

        Assert.Equal(SiteAccess.Open, (await gate.DecideAsync(null, Blog, CancellationToken.None)).Access);
    }

    [Fact]
    public async Task StoreDownThenBack_WithAKey_KeylessCallsAreUnauthenticated()
    {
        var store = new FlakyKeys();
        var time = new ManualTime();
        await new SiteKeyService(store, time).CreateAsync([Blog], CancellationToken.None);
        store.Down = true;
        var gate = Gate(store, time);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => gate.DecideAsync(null, Blog, CancellationToken.None));

        store.Down = false;

        Assert.Equal(SiteAccess.Unauthenticated, (await gate.DecideAsync(null, Blog, CancellationToken.None)).Access);
    }

    [Fact]
    public async Task KeyCreatedOnThisNode_ThenStoreStalls_KeylessCallsAreRefused_WithoutAStoreRead()
    {
        // Arrange: the node read "no keys" earlier; a key is created here; then the store stalls before any re-read.
        var store = new FlakyKeys();
        var time = new ManualTime();
        var gate = Gate(store, time);
        Assert.Equal(SiteAccess.Open, (await gate.DecideAsync(null, Blog, CancellationToken.None)).Access);
        var (key, _) = await new SiteKeyService(store, time).CreateAsync([Blog], CancellationToken.None);
        gate.Invalidate();
        store.Down = true;

        // Act
        var keyless = await gate.DecideAsync(null, Blog, CancellationToken.None);
        time.Now += SiteKeyGate.CacheFor * 3;
        var keylessLater = await gate.DecideAsync(null, Blog, CancellationToken.None);

        // Assert: keys are known to exist; the new key itself cannot be verified until the store answers.
        Assert.Equal(SiteAccess.Unauthenticated, keyless.Access);
        Assert.Equal(SiteAccess.Unauthenticated, keylessLater.Access);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => gate.DecideAsync(key, Blog, CancellationToken.None));
    }

    [Fact]
    public async Task KeyRevokedOnThisNode_ThenStoreStalls_KeylessCallsAreStillRefused()
    {
        var store = new FlakyKeys();
        var time = new ManualTime();
        var (key, record) = await new SiteKeyService(store, time).CreateAsync([Blog], CancellationToken.None);
        var gate = Gate(store, time);
        Assert.Equal(SiteAccess.Allowed, (await gate.DecideAsync(key, Blog, CancellationToken.None)).Access);

        await store.RevokeAsync(record.Id, time.Now, CancellationToken.None);
        gate.Invalidate();
        store.Down = true;

        Assert.Equal(SiteAccess.Unauthenticated, (await gate.DecideAsync(null, Blog, CancellationToken.None)).Access);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => gate.DecideAsync(key, Blog, CancellationToken.None));
    }

    [Theory]
    [InlineData(SiteKeyMode.Required, false)]
    [InlineData(SiteKeyMode.OpenUntilFirstKey, true)]
    public async Task RequiredMode_RefusesKeylessCallsWithoutAnyStoreRead(SiteKeyMode mode, bool legacyRequired)
    {
        var store = new FlakyKeys { Down = true };
        var gate = Gate(store, new ManualTime(), new SiteKeyOptions { Mode = mode, Required = legacyRequired });

        Assert.Equal(SiteAccess.Unauthenticated, (await gate.DecideAsync(null, Blog, CancellationToken.None)).Access);
    }

    [Fact]
    public async Task KnownKeys_KeepWorkingWhileTheStoreIsDown_UnknownOnesCannotBeVerified()
    {
        var store = new FlakyKeys();
        var time = new ManualTime();
        var (key, _) = await new SiteKeyService(store, time).CreateAsync([Blog], CancellationToken.None);
        var gate = Gate(store, time);
        Assert.Equal(SiteAccess.Allowed, (await gate.DecideAsync(key, Blog, CancellationToken.None)).Access);
        Assert.Equal(SiteAccess.Unauthenticated, (await gate.DecideAsync(null, Blog, CancellationToken.None)).Access);

        store.Down = true;
        time.Now += SiteKeyGate.CacheFor * 3;

        Assert.Equal(SiteAccess.Allowed, (await gate.DecideAsync(key, Blog, CancellationToken.None)).Access);
        Assert.Equal(SiteAccess.OtherSite, (await gate.DecideAsync(key, new Uri("https://other.example/"), CancellationToken.None)).Access);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => gate.DecideAsync("sg_never-seen", Blog, CancellationToken.None));
    }

    [Fact]
    public async Task ARevokedKey_IsRefusedOnceTheCacheExpires_OrAtOnceAfterInvalidate()
    {
        var store = new FlakyKeys();
        var time = new ManualTime();
        var (key, record) = await new SiteKeyService(store, time).CreateAsync([Blog], CancellationToken.None);
        var gate = Gate(store, time);
        Assert.Equal(SiteAccess.Allowed, (await gate.DecideAsync(key, Blog, CancellationToken.None)).Access);

        await store.RevokeAsync(record.Id, time.Now, CancellationToken.None);
        var stillCached = (await gate.DecideAsync(key, Blog, CancellationToken.None)).Access;
        time.Now += SiteKeyGate.CacheFor;

        Assert.Equal(SiteAccess.Allowed, stillCached);
        Assert.Equal(SiteAccess.Unauthenticated, (await gate.DecideAsync(key, Blog, CancellationToken.None)).Access);
    }
}
