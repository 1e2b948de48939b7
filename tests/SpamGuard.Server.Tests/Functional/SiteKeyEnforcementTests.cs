using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>Once a site key exists, CommentFilter calls need a valid key for their site (real gRPC).</summary>
public sealed class SiteKeyEnforcementTests
{
    private const string AdminKey = SiteKeysForTests.AdminKey;
    private const string OtherSite = SiteKeysForTests.OtherSite;

    private static Metadata Bearer(string key) => SiteKeysForTests.Bearer(key);

    private static Task<string> CreateKeyAsync(SpamGuardHost host, string site) => SiteKeysForTests.CreateKeyAsync(host, site);

    [Fact]
    public async Task Checks_NeedAValidKeyForTheirSite_OnceKeysExist()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={AdminKey}");
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        var open = await client.CheckCommentAsync(Requests.WithContent("before any key"), deadline: SpamGuardHost.Deadline);
        var key = await CreateKeyAsync(host, Requests.Site);

        var missing = await Assert.ThrowsAsync<RpcException>(() => client.CheckCommentAsync(Requests.WithContent("x"), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => client.CheckCommentAsync(Requests.WithContent("x"), Bearer("sgnotakey"), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var otherSite = new CheckCommentRequest { Site = OtherSite, Content = "x" };
        var wrongSite = await Assert.ThrowsAsync<RpcException>(() => client.CheckCommentAsync(otherSite, Bearer(key), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var allowed = await client.CheckCommentAsync(Requests.WithContent("with the key"), Bearer(key), deadline: SpamGuardHost.Deadline);

        Assert.False(string.IsNullOrEmpty(open.CheckId));
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, unknown.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, wrongSite.StatusCode);
        Assert.False(string.IsNullOrEmpty(allowed.CheckId));
    }

    [Fact]
    public async Task ReportsAreScopedToTheirSite_AndARevokedKeyStopsWorking()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={AdminKey}");
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);
        var key = await CreateKeyAsync(host, Requests.Site);
        var otherKey = await CreateKeyAsync(host, OtherSite);
        var check = await client.CheckCommentAsync(Requests.WithContent("cheap pills"), Bearer(key), deadline: SpamGuardHost.Deadline);

        var foreign = await Assert.ThrowsAsync<RpcException>(() => client.SubmitSpamAsync(
            new SubmitFeedbackRequest { Site = OtherSite, CheckId = check.CheckId }, Bearer(otherKey), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var own = await client.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = check.CheckId }, Bearer(key), deadline: SpamGuardHost.Deadline);
        var id = (await admin.ListSiteKeysAsync(new ListSiteKeysRequest(), Bearer(AdminKey), deadline: SpamGuardHost.Deadline)).Keys.First(k => k.Sites.Contains(Requests.Site)).Id;
        await admin.RevokeSiteKeyAsync(new RevokeSiteKeyRequest { Id = id }, Bearer(AdminKey), deadline: SpamGuardHost.Deadline);
        var revoked = await Assert.ThrowsAsync<RpcException>(() => client.CheckCommentAsync(Requests.WithContent("x"), Bearer(key), deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        Assert.Equal(FeedbackOutcome.Recorded, own.Outcome);
        Assert.Equal(StatusCode.Unauthenticated, revoked.StatusCode);
    }

    [Fact]
    public async Task WithKeysRequired_ACallWithoutAKeyIsRefused_EvenBeforeAnyKeyExists()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={AdminKey}", "--SiteKeys:Required=true");
        var client = new CommentFilter.CommentFilterClient(host.Channel);

        var grpc = await Assert.ThrowsAsync<RpcException>(() => client.CheckCommentAsync(Requests.WithContent("x"), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var rest = await AkismetHttp.PostAsync(host, "/1.1/comment-check", AkismetHttp.Comment("x"));
        var key = await CreateKeyAsync(host, Requests.Site);
        var allowed = await client.CheckCommentAsync(Requests.WithContent("with the key"), Bearer(key), deadline: SpamGuardHost.Deadline);

        Assert.Equal(StatusCode.Unauthenticated, grpc.StatusCode);
        Assert.Equal("invalid", rest.Body);
        Assert.False(string.IsNullOrEmpty(allowed.CheckId));
    }
}
