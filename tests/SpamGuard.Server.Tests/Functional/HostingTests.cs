using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>Endpoints, protocols, reflection and the generic error mapping.</summary>
public sealed class HostingTests(LoadedHostFixture fixture) : IClassFixture<LoadedHostFixture>
{
    [Fact]
    public async Task Kestrel_EndpointUrlsFromCommandLine_ReplaceTheConfiguredOnes()
    {
        // The fixture passes only --Kestrel:Endpoints:{Grpc,Http}:Url; protocols still come from appsettings.json.
        var host = fixture.Host;

        Assert.Equal(
            new[] { $"http://127.0.0.1:{host.GrpcPort}", $"http://127.0.0.1:{host.HttpPort}" }.Order(StringComparer.Ordinal),
            host.Addresses.Order(StringComparer.Ordinal));
        var health = await new Health.HealthClient(host.Channel)
            .CheckAsync(new HealthCheckRequest(), deadline: SpamGuardHost.Deadline);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task GrpcEndpoint_Http11Request_IsRefused()
    {
        // Proves "Protocols": "Http2" was loaded from appsettings.json: cleartext Http1AndHttp2 would answer HTTP/1.1.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Host.GrpcPort}"), Timeout = SpamGuardHost.CallTimeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Version = HttpVersion.Version11 };

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task HttpEndpoint_GrpcCall_Fails()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.Host.HttpPort}");
        var client = new CommentFilter.CommentFilterClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(
            () => client.CheckCommentAsync(Requests.WithContent("hello"), deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.NotEqual(StatusCode.OK, ex.StatusCode);
    }

    [Fact]
    public async Task Root_OverHttp11_ReturnsPlainTextBanner()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Version = HttpVersion.Version11 };

        using var response = await fixture.Host.Http.SendAsync(request);

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("SpamGuard", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reflection_ListServices_IncludesCommentFilterAndHealth()
    {
        var reflection = new ServerReflection.ServerReflectionClient(fixture.Host.Channel);
        using var call = reflection.ServerReflectionInfo(deadline: SpamGuardHost.Deadline);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("spamguard.v1.CommentFilter", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task CheckComment_UnexpectedFailure_ReturnsInternalWithoutDetails()
    {
        await using var host = await SpamGuardHost.StartAsync(new ThrowingTestModel());
        var client = new CommentFilter.CommentFilterClient(host.Channel);

        var ex = await Assert.ThrowsAsync<RpcException>(
            () => client.CheckCommentAsync(Requests.WithContent("hello"), deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.DoesNotContain(ThrowingTestModel.SecretDetail, ex.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckComment_UnexpectedFailureInDevelopment_IncludesDetails()
    {
        await using var host = await SpamGuardHost.StartAsync(new ThrowingTestModel(), "--environment=Development");
        var client = new CommentFilter.CommentFilterClient(host.Channel);

        var ex = await Assert.ThrowsAsync<RpcException>(
            () => client.CheckCommentAsync(Requests.WithContent("hello"), deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Contains(ThrowingTestModel.SecretDetail, ex.Status.Detail, StringComparison.Ordinal);
    }
}
