using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Infrastructure;

/// <summary>A minimal OTLP/HTTP trace receiver on a free loopback port: keeps each POST /v1/traces and answers with
/// an empty ExportTraceServiceResponse, as a collector does.</summary>
internal sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _requests;

    private OtlpCollector(WebApplication app, ConcurrentQueue<Received> requests, int port)
    {
        _app = app;
        _requests = requests;
        Address = $"http://127.0.0.1:{port}";
    }

    public string Address { get; }

    public IReadOnlyList<Received> Requests => _requests.ToList();

    public static async Task<OtlpCollector> StartAsync()
    {
        var (port, _) = LoopbackPorts.FreePair();
        var requests = new ConcurrentQueue<Received>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapPost("/v1/traces", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            requests.Enqueue(new Received(context.Request.ContentType, body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        });
        using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
        await app.StartAsync(timeout.Token);
        return new OtlpCollector(app, requests, port);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    internal sealed record Received(string? ContentType, byte[] Body);
}
