using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Server.Admin;

namespace SpamGuard.Server.Hosting;

/// <summary>
/// <c>/metrics</c> (Prometheus text): behind the admin key on the HTTP endpoint, or, with <c>Metrics:Url</c>, only on
/// that separate listener and without a key. The listener is told apart by the connection's local port, which a
/// client cannot choose, never by the Host header.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IServiceCollection AddSpamGuardMetricsEndpoint(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();
        // Bound lazily from the validated options, in addition to the endpoints under Kestrel:Endpoints.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<MetricsOptions>>((kestrel, metrics) =>
        {
            if (metrics.Value.Listener() is { } listener)
            {
                kestrel.Listen(listener, endpoint => endpoint.Protocols = HttpProtocols.Http1);
            }
        });
        return services;
    }

    public static IEndpointConventionBuilder MapSpamGuardMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use(AdmitAsync), optionsName: null);

    private static async Task AdmitAsync(HttpContext context, RequestDelegate next)
    {
        var services = context.RequestServices;
        if (services.GetRequiredService<IOptions<MetricsOptions>>().Value.Listener() is { } listener)
        {
            if (context.Connection.LocalPort == listener.Port)
            {
                await next(context);
            }
            else
            {
                // Served only on the metrics listener: elsewhere it does not exist.
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }

            return;
        }

        var presented = BearerToken.From(context.Request.Headers.Authorization.ToString());
        if (services.GetRequiredService<AdminKeyVerifier>().Matches(presented))
        {
            await next(context);
            return;
        }

        services.GetRequiredService<SpamGuardMetrics>().AuthFailed("admin", string.IsNullOrWhiteSpace(presented) ? "missing" : "invalid");

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.Response.WriteAsync(
            "Metrics need the admin key (Authorization: Bearer <Admin:Key>), or a separate listener without one (Metrics:Url).\n",
            context.RequestAborted);
    }
}
