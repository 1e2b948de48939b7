using Google.Rpc;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Keys;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>Site keys through ModelAdmin over real gRPC: created once, listed without the key, revoked; admin only.</summary>
public sealed class SiteKeyAdminTests
{
    private const string AdminKey = "an-admin-key-long-enough-for-the-test";

    private static Metadata Admin => new() { { "authorization", "Bearer " + AdminKey } };

    [Fact]
    public async Task CreateListRevoke_InRedis_StoresOnlyTheHash()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Redis:Configuration={redis.Endpoint}", $"--Admin:Key={AdminKey}", "--Redis:Resilience:TimeoutMilliseconds=2000");
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);
        var request = new CreateSiteKeyRequest { Sites = { "https://blog.example/", "https://www.blog.example/" } };

        var created = await admin.CreateSiteKeyAsync(request, Admin, deadline: SpamGuardHost.Deadline);
        var listed = await admin.ListSiteKeysAsync(new ListSiteKeysRequest(), Admin, deadline: SpamGuardHost.Deadline);
        var revoked = await admin.RevokeSiteKeyAsync(new RevokeSiteKeyRequest { Id = created.Info.Id }, Admin, deadline: SpamGuardHost.Deadline);

        Assert.Matches("^[0-9a-f]{12}$", created.Key);
        var info = Assert.Single(listed.Keys);
        Assert.Equal(created.Info.Id, info.Id);
        Assert.Equal(["https://blog.example/", "https://www.blog.example/"], info.Sites);
        Assert.Null(info.RevokedAt);
        Assert.NotNull(revoked.Info.RevokedAt);
        var dump = (await RedisContents.ReadAllAsync(redis)).Dump();
        Assert.DoesNotContain(created.Key, dump, StringComparison.Ordinal);
        Assert.Contains(SiteKeyService.Hash(created.Key), dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadSites_UnknownIds_AndMissingKeys_AreRefused()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={AdminKey}");
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);

        var none = await Assert.ThrowsAsync<RpcException>(() => admin.CreateSiteKeyAsync(new CreateSiteKeyRequest(), Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var bad = await Assert.ThrowsAsync<RpcException>(() => admin.CreateSiteKeyAsync(new CreateSiteKeyRequest { Sites = { "https://ok.example/", "ftp://no.example/" } }, Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => admin.RevokeSiteKeyAsync(new RevokeSiteKeyRequest { Id = "nope" }, Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var unauthenticated = await Assert.ThrowsAsync<RpcException>(() => admin.ListSiteKeysAsync(new ListSiteKeysRequest(), deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.Equal("sites", Assert.Single(none.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
        Assert.Equal("sites[1]", Assert.Single(bad.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, unauthenticated.StatusCode);
        Assert.Empty((await admin.ListSiteKeysAsync(new ListSiteKeysRequest(), Admin, deadline: SpamGuardHost.Deadline)).Keys);
    }
}
