using System.Text;
using Google.Rpc;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Privacy;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>ModelAdmin.Erase over real gRPC: everything about one person goes from every store, nothing else does, and only the admin may ask.</summary>
public sealed class ErasureTests
{
    private const string AdminKey = "an-admin-key-long-enough-for-the-test";
    private static readonly byte[] SecretBytes = Encoding.UTF8.GetBytes("the pseudonym secret shared by these nodes");
    private static readonly string Secret = Convert.ToBase64String(SecretBytes);

    private static Metadata Admin(string key = AdminKey) => new() { { "authorization", "Bearer " + key } };

    private static CheckCommentRequest From(string email, string ip, string content) =>
        new() { Site = Requests.Site, AuthorEmail = email, UserIp = ip, Content = content, AuthorUrl = "https://" + email.Split('@')[0] + ".example/" };

    [Fact]
    public async Task Erase_ByEmail_RemovesThePersonsDataFromEveryStoreInRedis_AndNothingElse()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(),
            $"--Redis:Configuration={redis.Endpoint}", $"--Privacy:PseudonymSecret={Secret}", $"--Admin:Key={AdminKey}", "--Redis:Resilience:TimeoutMilliseconds=2000");
        var filter = new CommentFilter.CommentFilterClient(host.Channel);
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);
        var jane = await filter.CheckCommentAsync(From("jane@example.net", "10.60.0.1", "cheap pills"), deadline: SpamGuardHost.Deadline);
        var janeAgain = await filter.CheckCommentAsync(From("Jane@Example.net", "10.60.0.2", "more pills"), deadline: SpamGuardHost.Deadline);
        var bob = await filter.CheckCommentAsync(From("bob@example.org", "10.61.0.1", "nice post"), deadline: SpamGuardHost.Deadline);
        foreach (var id in new[] { jane.CheckId, bob.CheckId })
        {
            await filter.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = id }, deadline: SpamGuardHost.Deadline);
        }

        var erased = await admin.EraseAsync(new EraseRequest { Email = "JANE@example.net" }, Admin(), deadline: SpamGuardHost.Deadline);

        Assert.Equal(1, erased.ReputationEntries);
        Assert.Equal(2, erased.CheckRecords);
        Assert.Equal(1, erased.LabelledExamples);
        // This Redis keeps no append-only file (the test server runs with appendonly no): the answer says so.
        Assert.Contains($"No append-only file on {redis.Endpoint}", erased.DiskCopies, StringComparison.Ordinal);
        var email = new Pseudonymizer(SecretBytes).Email("jane@example.net");
        var dump = (await RedisContents.ReadAllAsync(redis)).Dump();
        Assert.DoesNotContain(email, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(jane.CheckId, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(janeAgain.CheckId, dump, StringComparison.Ordinal);
        Assert.Contains(bob.CheckId, dump, StringComparison.Ordinal);
        Assert.Contains(new Pseudonymizer(SecretBytes).Email("bob@example.org"), dump, StringComparison.Ordinal);
        var again = await admin.EraseAsync(new EraseRequest { Email = "jane@example.net" }, Admin(), deadline: SpamGuardHost.Deadline);
        Assert.Equal((0, 0, 0), (again.ReputationEntries, again.CheckRecords, again.LabelledExamples));
    }

    [Fact]
    public async Task Erase_ByIpOrWebsite_OnTheEmbeddedDefault()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={AdminKey}");
        var filter = new CommentFilter.CommentFilterClient(host.Channel);
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);
        var check = await filter.CheckCommentAsync(From("ann@example.net", "10.62.0.1", "cheap pills"), deadline: SpamGuardHost.Deadline);
        await filter.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = check.CheckId }, deadline: SpamGuardHost.Deadline);

        var byIp = await admin.EraseAsync(new EraseRequest { Ip = "10.62.0.1" }, Admin(), deadline: SpamGuardHost.Deadline);
        var byWebsite = await admin.EraseAsync(new EraseRequest { AuthorUrl = "https://ann.example/about" }, Admin(), deadline: SpamGuardHost.Deadline);

        Assert.Equal((1, 1, 1), (byIp.ReputationEntries, byIp.CheckRecords, byIp.LabelledExamples));
        Assert.Equal((1, 0, 0), (byWebsite.ReputationEntries, byWebsite.CheckRecords, byWebsite.LabelledExamples));
        var report = await Assert.ThrowsAsync<RpcException>(() => filter.SubmitHamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = check.CheckId }, deadline: SpamGuardHost.Deadline).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, report.StatusCode);
    }

    [Fact]
    public async Task Erase_NeedsTheAdminKey()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={AdminKey}");
        await using var keyless = await SpamGuardHost.StartAsync(new KeywordTestModel());
        var request = new EraseRequest { Email = "jane@example.net" };

        var missing = await Assert.ThrowsAsync<RpcException>(() => new ModelAdmin.ModelAdminClient(host.Channel).EraseAsync(request, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var wrong = await Assert.ThrowsAsync<RpcException>(() => new ModelAdmin.ModelAdminClient(host.Channel).EraseAsync(request, Admin("a-wrong-key-of-the-same-length-as-it"), deadline: SpamGuardHost.Deadline).ResponseAsync);
        var unconfigured = await Assert.ThrowsAsync<RpcException>(() => new ModelAdmin.ModelAdminClient(keyless.Channel).EraseAsync(request, Admin(), deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, unconfigured.StatusCode);
    }

    [Theory]
    [InlineData("email", "no-at-sign")]
    [InlineData("ip", "1.2.3.4.5")]
    [InlineData("author_url", "ftp://x.example/")]
    [InlineData("subject", "")]
    public async Task Erase_BadInput_IsInvalidArgumentNamingTheField(string field, string value)
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Admin:Key={AdminKey}");
        var request = field switch
        {
            "email" => new EraseRequest { Email = value },
            "ip" => new EraseRequest { Ip = value },
            "author_url" => new EraseRequest { AuthorUrl = value },
            _ => new EraseRequest(),
        };

        var ex = await Assert.ThrowsAsync<RpcException>(() => new ModelAdmin.ModelAdminClient(host.Channel).EraseAsync(request, Admin(), deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(field, Assert.Single(ex.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
    }
}
