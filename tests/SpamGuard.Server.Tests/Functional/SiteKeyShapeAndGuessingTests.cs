using System.Net;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// Akismet-shaped (12-character) site keys and the per-source budget of failed verifications that makes them safe,
/// over real sockets: a real HttpClient on the Akismet REST facade and a real gRPC client.
/// </summary>
public sealed class SiteKeyShapeAndGuessingTests
{
    private static Task<SpamGuardHost> StartAsync(params string[] args) =>
        SpamGuardHost.StartAsync(new KeywordTestModel(), [$"--Admin:Key={SiteKeysForTests.AdminKey}", .. args]);

    private static async Task<string> CreateLongKeyAsync(SpamGuardHost host, string site) =>
        (await new ModelAdmin.ModelAdminClient(host.Channel).CreateSiteKeyAsync(
            new CreateSiteKeyRequest { Sites = { site }, Form = KeyForm.Long }, SiteKeysForTests.Bearer(SiteKeysForTests.AdminKey), deadline: SpamGuardHost.Deadline)).Key;

    private static Task<AkismetReply> VerifyAsync(SpamGuardHost host, string key) =>
        AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("key", key), new("blog", Requests.Site)]);

    private static string RandomShortKey() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));

    [Fact]
    public async Task NewKeys_HaveAkismetsTwelveCharacterShape_AndTheLongFormIsStillAccepted()
    {
        await using var host = await StartAsync();

        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);
        var longKey = await CreateLongKeyAsync(host, Requests.Site);
        var byField = await VerifyAsync(host, key);
        var upperCase = await VerifyAsync(host, key.ToUpperInvariant());
        var byHost = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("blog", Requests.Site)], hostName: key + ".rest.example");
        var byLongKey = await VerifyAsync(host, longKey);
        var check = await AkismetHttp.PostAsync(host, "/1.1/comment-check", [.. AkismetHttp.Comment("thanks, a great article"), new("api_key", key)]);
        var grpc = await new CommentFilter.CommentFilterClient(host.Channel).CheckCommentAsync(
            Requests.WithContent("thanks"), SiteKeysForTests.Bearer(key.ToUpperInvariant()), deadline: SpamGuardHost.Deadline);

        Assert.Matches("^[0-9a-f]{12}$", key);
        Assert.Matches("^sg[a-z2-7]{52}$", longKey);
        Assert.All(new[] { byField, upperCase, byHost, byLongKey }, reply => Assert.Equal((HttpStatusCode.OK, "valid"), (reply.Status, reply.Body)));
        Assert.Equal("false", check.Body);
        Assert.Equal(Verdict.Ham, grpc.Verdict);
    }

    [Fact]
    public async Task FailedVerifications_AreBudgetedPerSource_OnRestAndGrpc_WhileAKeyVerifiedBeforeKeepsWorking()
    {
        // Arrange: a budget of 3 failures that refills one a minute, so the test never sees a refill.
        await using var host = await StartAsync("--SiteKeys:GuessLimit:FailuresPerMinute=1", "--SiteKeys:GuessLimit:Burst=3");
        var known = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);
        var neverPresented = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);
        Assert.Equal("valid", (await VerifyAsync(host, known)).Body);
        var grpc = new CommentFilter.CommentFilterClient(host.Channel);

        // Act
        var guesses = new List<AkismetReply>();
        for (var i = 0; i < 3; i++)
        {
            guesses.Add(await VerifyAsync(host, RandomShortKey()));
        }

        var refused = await VerifyAsync(host, RandomShortKey());
        var refusedRealKey = await VerifyAsync(host, neverPresented);
        var refusedCheck = await AkismetHttp.PostAsync(host, "/1.1/comment-check", [.. AkismetHttp.Comment("viagra"), new("api_key", RandomShortKey())]);
        var refusedGrpc = await Assert.ThrowsAsync<RpcException>(() =>
            grpc.CheckCommentAsync(Requests.WithContent("hello"), SiteKeysForTests.Bearer(neverPresented), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var knownStillValid = await VerifyAsync(host, known);
        var knownCheck = await AkismetHttp.PostAsync(host, "/1.1/comment-check", [.. AkismetHttp.Comment("thanks, a great article"), new("api_key", known)]);
        var knownGrpc = await grpc.CheckCommentAsync(Requests.WithContent("thanks"), SiteKeysForTests.Bearer(known), deadline: SpamGuardHost.Deadline);

        // Assert: each guess is "invalid" until the budget is gone; then a real key never presented before gets the
        // very same answer (nothing to learn), with Akismet's alert headers and when to retry.
        Assert.All(guesses, reply =>
        {
            Assert.Equal((HttpStatusCode.OK, "invalid"), (reply.Status, reply.Body));
            Assert.Null(reply.Header("X-akismet-alert-code"));
        });
        Assert.All(new[] { refused, refusedRealKey }, reply =>
        {
            Assert.Equal((HttpStatusCode.OK, "invalid"), (reply.Status, reply.Body));
            Assert.Equal("42901", reply.Header("X-akismet-alert-code"));
            Assert.Contains("failed key verifications", reply.Header("X-akismet-alert-msg"), StringComparison.Ordinal);
            Assert.True(int.Parse(reply.Response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        });
        Assert.Equal("true", refusedCheck.Body);
        Assert.Equal("rate-limited", refusedCheck.Header("X-spamguard-unscored"));
        Assert.Equal(StatusCode.ResourceExhausted, refusedGrpc.StatusCode);
        Assert.Equal("valid", knownStillValid.Body);
        Assert.Equal("false", knownCheck.Body);
        Assert.NotNull(knownCheck.Header("X-akismet-guid"));
        Assert.Equal(Verdict.Ham, knownGrpc.Verdict);
    }

    [Fact]
    public async Task FailedGrpcKeys_CountAgainstTheSameBudget_AsRestVerifications()
    {
        await using var host = await StartAsync("--SiteKeys:GuessLimit:FailuresPerMinute=1", "--SiteKeys:GuessLimit:Burst=2");
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);
        var grpc = new CommentFilter.CommentFilterClient(host.Channel);

        var first = await Assert.ThrowsAsync<RpcException>(() =>
            grpc.CheckCommentAsync(Requests.WithContent("hello"), SiteKeysForTests.Bearer(RandomShortKey()), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var second = await Assert.ThrowsAsync<RpcException>(() =>
            grpc.CheckCommentAsync(Requests.WithContent("hello"), SiteKeysForTests.Bearer(RandomShortKey()), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var restAfter = await VerifyAsync(host, key);

        Assert.Equal((StatusCode.Unauthenticated, StatusCode.Unauthenticated), (first.StatusCode, second.StatusCode));
        Assert.Equal(("invalid", "42901"), (restAfter.Body, restAfter.Header("X-akismet-alert-code")));
    }
}
