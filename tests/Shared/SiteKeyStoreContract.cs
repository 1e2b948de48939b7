using SpamGuard.Core.Keys;

namespace SpamGuard.Testing.Contracts;

/// <summary>What every <see cref="ISiteKeyStore"/> must do, through the <see cref="SiteKeyService"/> that creates keys and the <see cref="SiteKeyGate"/> that checks them.</summary>
public abstract class SiteKeyStoreContract
{
    private static readonly Uri Blog = new("https://blog.example/");
    private static readonly Uri Other = new("https://other.example/");

    protected abstract Task<ISiteKeyStore> EmptyStoreAsync();

    private async Task<SiteKeyService> ServiceAsync() => new(await EmptyStoreAsync(), TimeProvider.System);

    // A new gate each time, so nothing it cached from an earlier question answers this one.
    private static async Task<SiteAccess> AccessAsync(ISiteKeyStore store, string? key, Uri site) =>
        (await new SiteKeyGate(store, TimeProvider.System).DecideAsync(key, site, CancellationToken.None)).Access;

    [Theory]
    [InlineData(SiteKeyForm.Akismet, "^[0-9a-f]{12}$")]
    [InlineData(SiteKeyForm.Base32, "^sg[a-z2-7]{52}$")]
    public async Task CreatedKey_IsValidForItsSitesOnly_AndStoredOnlyAsAHash(SiteKeyForm form, string shape)
    {
        var store = await EmptyStoreAsync();
        var service = new SiteKeyService(store, TimeProvider.System);

        var (key, record) = await service.CreateAsync([Blog, new Uri("https://www.blog.example/")], form, CancellationToken.None);

        Assert.Matches(shape, key);
        // The WordPress plugin keeps the key as typed: hex reads the same in either case.
        Assert.Equal(form == SiteKeyForm.Akismet ? SiteAccess.Allowed : SiteAccess.Unauthenticated, await AccessAsync(store, key.ToUpperInvariant(), Blog));
        // Old Akismet clients put the key in the host name: it must be one lowercase DNS label.
        Assert.Matches("^[a-z0-9]{1,63}$", key);
        Assert.True(SiteKeyService.LooksLikeKey(key));
        Assert.Equal(UriHostNameType.Dns, Uri.CheckHostName(key + ".rest.example"));
        Assert.Equal(SiteAccess.Allowed, await AccessAsync(store, key, Blog));
        Assert.Equal(SiteAccess.OtherSite, await AccessAsync(store, key, Other));
        Assert.Equal(SiteAccess.Unauthenticated, await AccessAsync(store, key + "x", Blog));
        Assert.Equal(SiteAccess.Unauthenticated, await AccessAsync(store, null, Blog));
        var listed = Assert.Single(await store.ListAsync(CancellationToken.None));
        Assert.Equal(record.Id, listed.Id);
        Assert.Equal(SiteKeyService.Hash(key), listed.KeyHash);
        Assert.DoesNotContain(key, System.Text.Json.JsonSerializer.Serialize(listed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedKey_IsRevoked_AndRevokingTwiceOrAnUnknownIdIsHandled()
    {
        var store = await EmptyStoreAsync();
        var service = new SiteKeyService(store, TimeProvider.System);
        var (key, record) = await service.CreateAsync([Blog], CancellationToken.None);
        var (otherKey, _) = await service.CreateAsync([Blog], CancellationToken.None);

        Assert.True(await store.RevokeAsync(record.Id, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.True(await store.RevokeAsync(record.Id, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.False(await store.RevokeAsync("000000000000", DateTimeOffset.UtcNow, CancellationToken.None));

        Assert.Equal(SiteAccess.Unauthenticated, await AccessAsync(store, key, Blog));
        Assert.Equal(SiteAccess.Allowed, await AccessAsync(store, otherKey, Blog));
        var listed = await store.ListAsync(CancellationToken.None);
        Assert.Equal(2, listed.Count);
        Assert.True(Assert.Single(listed, k => k.Id == record.Id).IsRevoked);
    }

    [Fact]
    public async Task KeyWithoutSites_IsRefused()
    {
        var service = await ServiceAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => service.CreateAsync([], CancellationToken.None));
    }
}
