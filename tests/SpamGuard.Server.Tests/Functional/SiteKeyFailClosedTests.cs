using System.Net;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Keys;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// The site-key gate fails closed, against a real redis-server that is killed or frozen (SIGSTOP), over real gRPC and
/// HTTP: a node that cannot tell whether keys exist refuses keyless calls (UNAVAILABLE / HTTP 503), and opens only
/// once it has read that no key exists.
/// </summary>
public sealed class SiteKeyFailClosedTests
{
    private const string AdminKey = SiteKeysForTests.AdminKey;

    private static Task<SpamGuardHost> StartNodeAsync(RedisServerProcess redis) =>
        SpamGuardHost.StartAsync(new KeywordTestModel(),
            $"--Redis:Configuration={redis.Endpoint}", $"--Privacy:PseudonymSecret={RedisNodes.Secret}",
            "--Redis:ConnectTimeoutMilliseconds=200", "--Redis:Resilience:BreakSeconds=1", $"--Admin:Key={AdminKey}");

    private static async Task<StatusCode> KeylessCheckAsync(SpamGuardHost node, string content)
    {
        try
        {
            await new CommentFilter.CommentFilterClient(node.Channel).CheckCommentAsync(Requests.WithContent(content), deadline: SpamGuardHost.Deadline);
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    /// <summary>Keyless checks until one answers <paramref name="expected"/> (the client reconnects to Redis in the background).</summary>
    private static async Task<StatusCode> KeylessCheckUntilAsync(SpamGuardHost node, StatusCode expected)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var status = await KeylessCheckAsync(node, "waiting for Redis");
        while (status != expected && DateTime.UtcNow < until)
        {
            await Task.Delay(200);
            status = await KeylessCheckAsync(node, "waiting for Redis");
        }

        return status;
    }

    [Fact]
    public async Task StartedWhileRedisIsDown_KeylessCallsAreRefused_ThenRefusedAsUnauthenticatedOnceRedisShowsAKey()
    {
        // Arrange: Redis is down when the node starts, so the node has never read whether keys exist.
        await using var redis = await RedisServerProcess.StartAsync();
        await redis.StopAsync();
        await using var node = await StartNodeAsync(redis);

        // Act: keyless calls while the node cannot tell.
        var grpc = await KeylessCheckAsync(node, "sent while Redis is down");
        var rest = await AkismetHttp.PostAsync(node, "/1.1/comment-check", AkismetHttp.Comment("sent while Redis is down"));
        var verify = await AkismetHttp.PostAsync(node, "/1.1/verify-key", [new("key", "sg-not-a-key"), new("blog", Requests.Site)]);
        var report = await Assert.ThrowsAsync<RpcException>(() => new CommentFilter.CommentFilterClient(node.Channel)
            .SubmitSpamAsync(new SubmitFeedbackRequest { Comment = Requests.WithContent("reported while Redis is down") }, deadline: SpamGuardHost.Deadline).ResponseAsync);

        // Redis comes back holding a key made elsewhere (not through this node's admin API, so the node must read it).
        await redis.StartAgainAsync();
        await AddKeyBehindTheNodesBackAsync(node);
        var afterRecovery = await KeylessCheckUntilAsync(node, StatusCode.Unauthenticated);
        var restAfter = await AkismetHttp.PostAsync(node, "/1.1/comment-check", AkismetHttp.Comment("after recovery"));

        // Assert
        Assert.Equal(StatusCode.Unavailable, grpc);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rest.Status);
        Assert.NotNull(rest.Response.Headers.RetryAfter);
        Assert.Equal("invalid", rest.Body);
        Assert.DoesNotContain("   at ", rest.Header("X-akismet-debug-help") ?? "", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, verify.Status);
        Assert.Equal(StatusCode.Unavailable, report.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, afterRecovery);
        Assert.Equal(HttpStatusCode.OK, restAfter.Status);
        Assert.Equal("invalid", restAfter.Body);
    }

    [Fact]
    public async Task StartedWhileRedisIsDown_OpensOnlyOnceItReadsThatNoKeyExists()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await redis.StopAsync();
        await using var node = await StartNodeAsync(redis);
        var duringOutage = await KeylessCheckAsync(node, "sent while Redis is down");

        await redis.StartAgainAsync();
        var afterRecovery = await KeylessCheckUntilAsync(node, StatusCode.OK);

        Assert.Equal(StatusCode.Unavailable, duringOutage);
        Assert.Equal(StatusCode.OK, afterRecovery);
    }

    [Fact]
    public async Task KeyCreatedOnTheNode_ThenRedisFrozen_KeylessCallsAreRefused()
    {
        // Arrange: the node has read "no keys" (open), then a key is created through it.
        await using var redis = await RedisServerProcess.StartAsync();
        await using var node = await StartNodeAsync(redis);
        Assert.Equal(StatusCode.OK, await KeylessCheckAsync(node, "before any key"));
        await SiteKeysForTests.CreateKeyAsync(node, Requests.Site);

        // Act: Redis stalls before the node reads the store again.
        await redis.PauseAsync();
        StatusCode grpc;
        AkismetReply rest;
        try
        {
            grpc = await KeylessCheckAsync(node, "sent while Redis is frozen");
            await Task.Delay(SiteKeyGate.CacheFor + TimeSpan.FromSeconds(1));
            rest = await AkismetHttp.PostAsync(node, "/1.1/comment-check", AkismetHttp.Comment("sent after the cache expired, Redis still frozen"));
        }
        finally
        {
            await redis.ResumeAsync();
        }

        // Assert
        Assert.Equal(StatusCode.Unauthenticated, grpc);
        Assert.Equal("invalid", rest.Body);
        Assert.NotEqual("false", rest.Body);
    }

    private static async Task AddKeyBehindTheNodesBackAsync(SpamGuardHost node)
    {
        var keys = node.Services.GetRequiredService<SiteKeyService>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await keys.CreateAsync([new Uri(Requests.Site)], CancellationToken.None);
                return;
            }
            catch (Core.Reputation.StoreUnavailableException) when (DateTime.UtcNow < until)
            {
                // The node's Redis connection is still coming back.
                await Task.Delay(200);
            }
        }
    }
}
