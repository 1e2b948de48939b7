using Microsoft.Extensions.Options;
using SpamGuard.Server.Privacy;

namespace SpamGuard.Server.Hosting;

/// <summary>What every request meets before its endpoint: security headers, the gRPC framing check, and the metrics
/// listener that serves nothing but <c>/metrics</c>.</summary>
internal static class EdgeHostingExtensions
{
    public static IServiceCollection AddSpamGuardEdge(this IServiceCollection services)
    {
        services.AddOptions<PrivacyLinkOptions>().BindConfiguration(PrivacyLinkOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PrivacyLinkOptions>, PrivacyLinkOptionsValidator>();
        services.AddSpamGuardMetricsEndpoint();
        return services;
    }

    /// <summary>Runs after routing (WebApplication adds it first), so the gRPC method of a request is known.</summary>
    public static IApplicationBuilder UseSpamGuardEdge(this IApplicationBuilder app)
    {
        app.UseMiddleware<SecurityHeaders>();
        app.Use(MetricsListenerOnlyAsync);
        app.UseMiddleware<GrpcFramingGuard>();
        return app;
    }

    private static Task MetricsListenerOnlyAsync(HttpContext context, RequestDelegate next)
    {
        if (context.RequestServices.GetRequiredService<IOptions<MetricsOptions>>().Value.Listener() is { } listener
            && context.Connection.LocalPort == listener.Port
            && !context.Request.Path.Equals(MetricsEndpoint.Path, StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return next(context);
    }
}
