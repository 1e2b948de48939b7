using System.Net;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>Readiness follows the model: NOT_SERVING (and UNAVAILABLE checks) until one is loaded, SERVING after.</summary>
public sealed class HealthTests
{
    private static readonly string ServiceName = CommentFilter.Descriptor.FullName;

    [Fact]
    public async Task Health_ModelLoadedLater_GoesFromNotServingToServing()
    {
        // Arrange
        await using var host = await SpamGuardHost.StartAsync(model: null);
        var health = new Health.HealthClient(host.Channel);

        // Act / Assert: before the model
        Assert.Equal("spamguard.v1.CommentFilter", ServiceName);
        foreach (var service in new[] { "", ServiceName })
        {
            var before = await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: SpamGuardHost.Deadline);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, before.Status);
        }

        host.Classifier.Current = new KeywordTestModel();

        foreach (var service in new[] { "", ServiceName })
        {
            var after = await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: SpamGuardHost.Deadline);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, after.Status);
        }
    }

    [Fact]
    public async Task HealthWatch_ModelLoadedLater_StreamsServingWithinSeconds()
    {
        // Watch is served from the health publisher, so this proves its period is short, not the default 30 s.
        await using var host = await SpamGuardHost.StartAsync(model: null);
        var health = new Health.HealthClient(host.Channel);
        using var watch = health.Watch(new HealthCheckRequest { Service = ServiceName }, deadline: SpamGuardHost.Deadline);

        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, watch.ResponseStream.Current.Status);

        host.Classifier.Current = new KeywordTestModel();

        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task CheckComment_NoModelYet_ReturnsUnavailable()
    {
        await using var host = await SpamGuardHost.StartAsync(model: null);
        var client = new CommentFilter.CommentFilterClient(host.Channel);

        var ex = await Assert.ThrowsAsync<RpcException>(
            () => client.CheckCommentAsync(Requests.WithContent("hello"), deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task CheckComment_InvalidRequestWithNoModel_IsStillInvalidArgument()
    {
        // Validation runs before scoring, so clients learn about bad input even while the server is loading.
        await using var host = await SpamGuardHost.StartAsync(model: null);
        var client = new CommentFilter.CommentFilterClient(host.Channel);

        var ex = await Assert.ThrowsAsync<RpcException>(
            () => client.CheckCommentAsync(new CheckCommentRequest(), deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }

    [Fact]
    public async Task Healthz_OverHttp11_ReportsModelState()
    {
        // Arrange
        await using var host = await SpamGuardHost.StartAsync(model: null);

        // Act / Assert
        var (beforeCode, beforeBody) = await GetHealthzAsync(host);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, beforeCode);
        Assert.Equal("not_serving", beforeBody.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, beforeBody.GetProperty("model_version").ValueKind);

        host.Classifier.Current = new KeywordTestModel();

        var (afterCode, afterBody) = await GetHealthzAsync(host);
        Assert.Equal(HttpStatusCode.OK, afterCode);
        Assert.Equal("serving", afterBody.GetProperty("status").GetString());
        Assert.Equal(KeywordTestModel.TestVersion, afterBody.GetProperty("model_version").GetString());
    }

    private static async Task<(HttpStatusCode Code, JsonElement Body)> GetHealthzAsync(SpamGuardHost host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz")
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.Clone());
    }
}
