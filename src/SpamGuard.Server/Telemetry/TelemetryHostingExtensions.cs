using System.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Server.Hosting;

namespace SpamGuard.Server.Telemetry;

/// <summary>
/// OpenTelemetry for the server: the SpamGuard, ASP.NET Core, Kestrel, runtime and process metrics for /metrics, the
/// gRPC status of every call, the active model, a resource that names the service, and tracing over OTLP when
/// <c>Telemetry:Otlp:Endpoint</c> is set.
/// </summary>
internal static class TelemetryHostingExtensions
{
    private const string OtlpExporterName = "spamguard-otlp";

    /// <summary>service.name of every metric and span (<c>target_info{service_name="spamguard"}</c>).</summary>
    public const string ServiceName = "spamguard";

    /// <summary>service.version: the informational version the binary was built with.</summary>
    public static string ServiceVersion { get; } =
        typeof(TelemetryHostingExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Gauges whose OpenTelemetry names end in ".count", which Prometheus reserves for the sample count of a
    /// histogram or summary (<c>promtool check metrics</c> flags them): exported under the names Prometheus's own
    /// clients use for the same thing (<c>process_open_fds</c>, <c>…_threads</c>).</summary>
    private static readonly (string Instrument, string Name)[] PrometheusNames =
    [
        ("dotnet.assembly.count", "dotnet.assemblies"),
        ("dotnet.process.cpu.count", "dotnet.process.cpus"),
        ("dotnet.thread_pool.thread.count", "dotnet.thread_pool.threads"),
        ("dotnet.timer.count", "dotnet.timers"),
        ("process.thread.count", "process.threads"),
        ("process.unix.file_descriptor.count", "process.open_fds"),
    ];

    /// <param name="configuration">Read for <c>Telemetry:Otlp:Endpoint</c> only, as <c>Redis:Configuration</c> is:
    /// whether a tracer exists is decided at start; everything else comes from the validated options.</param>
    public static IServiceCollection AddSpamGuardTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        services.TryAddSingleton<GrpcCallMetrics>();
        services.AddSingleton<IStartupFilter, GrpcCallMetrics.StartupFilter>();
        services.TryAddSingleton<ModelInfoGauge>();

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: ServiceVersion))
            .WithMetrics(metrics => metrics
                .AddMeter(SpamGuardMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                // ASP.NET Core's request histogram starts at 5 ms; a check answers in well under one.
                .AddView("http.server.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [.. SpamGuardMetrics.LatencyBuckets] })
                .AddRuntimeInstrumentation()
                .AddProcessInstrumentation()
                .AddPrometheusExporter());
        foreach (var (instrument, name) in PrometheusNames)
        {
            telemetry.WithMetrics(metrics => metrics.AddView(instrument, name));
        }

        if (!string.IsNullOrWhiteSpace(configuration[$"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.Otlp)}:{nameof(TelemetryOptions.OtlpOptions.Endpoint)}"]))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(SpamGuardActivity.SourceName)
                .AddAspNetCoreInstrumentation(aspNetCore =>
                {
                    aspNetCore.Filter = context => !context.Request.Path.StartsWithSegments(MetricsEndpoint.Path, StringComparison.Ordinal);
                    // An Akismet client may send its key as the first label of the host name: not into a span.
                    aspNetCore.EnrichWithHttpRequest = (activity, _) => activity.SetTag("server.address", null);
                })
                .SetSampler(sp => new ParentBasedSampler(new TraceIdRatioBasedSampler(sp.GetRequiredService<IOptions<TelemetryOptions>>().Value.Otlp.SampleRatio)))
                .AddOtlpExporter(OtlpExporterName, configure: null));
            services.AddOptions<OtlpExporterOptions>(OtlpExporterName).Configure<IOptions<TelemetryOptions>>((exporter, options) =>
            {
                exporter.Endpoint = options.Value.TracesEndpoint();
                exporter.Protocol = options.Value.Otlp.Protocol;
                exporter.TimeoutMilliseconds = options.Value.Otlp.TimeoutMilliseconds;
            });
        }

        return services;
    }

    /// <summary>Creates the meter provider, then the instruments, so the counters' zeros recorded at construction are
    /// seen (a measurement made before a listener exists is dropped) and the model gauge exists from the first scrape.</summary>
    public static void StartSpamGuardTelemetry(this IServiceProvider services)
    {
        services.GetRequiredService<MeterProvider>();
        services.GetRequiredService<SpamGuardMetrics>();
        services.GetRequiredService<GrpcCallMetrics>();
        services.GetRequiredService<ModelInfoGauge>();
    }
}
