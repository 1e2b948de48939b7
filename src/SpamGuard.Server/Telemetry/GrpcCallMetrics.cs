using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using SpamGuard.Core.Diagnostics;

namespace SpamGuard.Server.Telemetry;

/// <summary>
/// Counts and times every gRPC call by service, method and gRPC status, read from the <c>grpc-status</c> trailer (or
/// the header of a trailers-only answer): ASP.NET Core's own <c>http_server_request_duration_seconds</c> sees HTTP 200
/// for every gRPC answer, failures included. The names and labels are go-grpc-prometheus's
/// (<c>grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}</c>,
/// <c>grpc_server_handling_seconds</c>), which existing gRPC dashboards query; the status is also added to the HTTP
/// metric as <c>rpc_grpc_status_code</c>.
/// </summary>
internal sealed class GrpcCallMetrics
{
    internal static readonly TimeSpan DeadlineSlack = TimeSpan.FromMilliseconds(50);

    private readonly Counter<long> _handled;
    private readonly Histogram<double> _handling;

    public GrpcCallMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(SpamGuardMetrics.MeterName);
        _handled = meter.CreateCounter<long>("grpc.server.handled", "{call}", "gRPC calls completed on the server, by method and status code.");
        _handling = meter.CreateHistogram("grpc.server.handling", "s", "Time from a gRPC call's start to its status, by method and status code.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SpamGuardMetrics.LatencyBuckets });
    }

    /// <summary>
    /// Exports every mapped gRPC method with every status code at 0, as go-grpc-prometheus's InitializeMetrics does,
    /// so that a rate or an alert on a code that has not happened yet reads 0 rather than no data.
    /// </summary>
    public void Initialize(IEnumerable<EndpointDataSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints))
        {
            if (endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } grpc)
            {
                continue;
            }

            foreach (var code in Enum.GetValues<StatusCode>())
            {
                _handled.Add(0, new TagList
                {
                    { "grpc_type", TypeOf(grpc.Method.Type) },
                    { "grpc_service", grpc.Method.ServiceName },
                    { "grpc_method", grpc.Method.Name },
                    { "grpc_code", code.ToString() },
                });
            }
        }
    }

    /// <summary>Runs first in the pipeline (see <see cref="StartupFilter"/>), so a call's time starts when it arrives
    /// and its endpoint, set by routing further in, is known once the rest has run.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is { } grpc)
            {
                Record(context, grpc.Method, TimeProvider.System.GetElapsedTime(started));
            }
        }
    }

    private void Record(HttpContext context, IMethod method, TimeSpan elapsed)
    {
        var code = StatusOf(context, elapsed);
        TagList tags = new()
        {
            { "grpc_type", TypeOf(method.Type) },
            { "grpc_service", method.ServiceName },
            { "grpc_method", method.Name },
            { "grpc_code", code.ToString() },
        };
        _handled.Add(1, tags);
        _handling.Record(elapsed.TotalSeconds, tags);
        context.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(new KeyValuePair<string, object?>("rpc.grpc.status_code", (int)code));
    }

    /// <summary>The status the caller was sent. When none was (the caller reset the call), DEADLINE_EXCEEDED if its
    /// deadline had passed, otherwise CANCELLED. A client gives up at its deadline, which it sent as the time left
    /// when the call left it, so the server sees the reset up to a transit time before its own count of that time
    /// ends: a reset within <see cref="DeadlineSlack"/> of it counts as the deadline.</summary>
    private static StatusCode StatusOf(HttpContext context, TimeSpan elapsed)
    {
        var written = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"] is { Count: > 0 } trailer
            ? trailer.ToString()
            : context.Response.Headers["grpc-status"].ToString();
        if (int.TryParse(written, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && Enum.IsDefined((StatusCode)code))
        {
            return (StatusCode)code;
        }

        if (!context.RequestAborted.IsCancellationRequested)
        {
            return StatusCode.Unknown;
        }

        return GrpcTimeout(context.Request.Headers["grpc-timeout"].ToString()) is { } timeout && elapsed >= timeout - DeadlineSlack
            ? StatusCode.DeadlineExceeded
            : StatusCode.Cancelled;
    }

    /// <summary>The grpc-timeout header (an integer of at most 8 digits and a unit: H, M, S, m, u, n).</summary>
    internal static TimeSpan? GrpcTimeout(string header)
    {
        if (header.Length is < 2 or > 9
            || !long.TryParse(header.AsSpan(0, header.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }

        return header[^1] switch
        {
            'H' => TimeSpan.FromHours(amount),
            'M' => TimeSpan.FromMinutes(amount),
            'S' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMilliseconds(amount),
            'u' => TimeSpan.FromMicroseconds(amount),
            'n' => TimeSpan.FromTicks(amount / 100),
            _ => null,
        };
    }

    private static string TypeOf(MethodType type) => type switch
    {
        MethodType.Unary => "unary",
        MethodType.ClientStreaming => "client_stream",
        MethodType.ServerStreaming => "server_stream",
        _ => "bidi_stream",
    };

    /// <summary>Puts <see cref="InvokeAsync"/> before everything else, routing included.</summary>
    internal sealed class StartupFilter(GrpcCallMetrics metrics) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(metrics.InvokeAsync);
            next(app);
        };
    }
}
