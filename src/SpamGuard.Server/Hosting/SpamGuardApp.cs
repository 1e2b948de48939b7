using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpamGuard.Contracts.V1;
using SpamGuard.Core;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Privacy;
using SpamGuard.Embedded;
using SpamGuard.Redis;
using StackExchange.Redis;
using SpamGuard.ML;
using Microsoft.Extensions.Options;
using SpamGuard.Server.Admin;
using SpamGuard.Server.Akismet;
using SpamGuard.Server.Privacy;
using SpamGuard.Server.Scoring;
using SpamGuard.Server.Telemetry;

namespace SpamGuard.Server.Hosting;

/// <summary>Builds the SpamGuard host: Core scoring, the model, gRPC (scoring, health, reflection) and the HTTP/1 pages.</summary>
internal static class SpamGuardApp
{
    /// <summary>Health check name and tag for "a model is loaded".</summary>
    public const string ModelCheckName = "model";

    /// <param name="args">Command-line arguments; they override appsettings.json (e.g. <c>--Kestrel:Endpoints:Grpc:Url=…</c>).</param>
    /// <param name="configureServices">Runs after every registration, so tests can replace services.</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = DefaultContentRoot(args) });

        // Redis first: its stores replace the in-process defaults that AddSpamGuardCore adds only if none is there.
        var redisEnabled = !string.IsNullOrWhiteSpace(builder.Configuration[$"{RedisOptions.SectionName}:{nameof(RedisOptions.Configuration)}"]);
        builder.Services.AddSpamGuardRedis(redisEnabled);
        if (!redisEnabled)
        {
            // The embedded default keeps its state on disk (SQLite under Feedback:DataDirectory), so it survives a restart.
            builder.Services.AddSpamGuardEmbedded();
        }

        builder.Services.AddOptions<SiteKeyRateLimitOptions>().BindConfiguration(SiteKeyRateLimitOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SiteKeyRateLimitOptions>, SiteKeyRateLimitOptionsValidator>();
        builder.Services.AddSingleton<ISiteRateLimiter, SiteKeyRateLimiter>();
        builder.Services.AddOptions<KeyGuessLimitOptions>().BindConfiguration(KeyGuessLimitOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KeyGuessLimitOptions>, KeyGuessLimitOptionsValidator>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<IKeyGuessLimiter, SourceKeyGuessLimiter>();
        builder.Services.AddSpamGuardCore();
        builder.Services.AddSpamGuardModel();

        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        builder.Services.AddSingleton<AdminKeyVerifier>();
        builder.Services.AddSingleton<AdminAuthenticator>();
        builder.Services.AddSingleton<ErrorMappingInterceptor>();
        builder.Services.AddSpamGuardEdge();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<ErrorMappingInterceptor>();
            grpc.EnableDetailedErrors = builder.Environment.IsDevelopment();
        }).AddServiceOptions<ModelAdminService>(admin => admin.MaxReceiveMessageSize = 64 * 1024 * 1024); // UploadModel carries a model zip
        builder.Services.AddGrpcReflection();

        builder.Services
            .AddGrpcHealthChecks(health =>
            {
                // Overall ("") and the scoring service both depend on the model being loaded.
                health.Services.Map("", _ => true);
                health.Services.Map(CommentFilter.Descriptor.FullName, check => check.Tags.Contains(ModelCheckName));
            })
            .AddCheck<ModelReadyHealthCheck>(ModelCheckName, tags: [ModelCheckName]);

        // Check calls run the checks on demand; Watch streams the publisher's results, and the default 30 s period
        // would keep a watcher on NOT_SERVING for half a minute after the model is loaded.
        builder.Services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.Zero;
            publisher.Period = TimeSpan.FromSeconds(1);
        });

        builder.Services.AddSpamGuardTelemetry(builder.Configuration);

        configureServices?.Invoke(builder.Services);

        var app = builder.Build();

        // Resolved now, not on the first request: a bad secret fails the start with a clear message, and the first
        // check does not wait for a connection to Redis.
        app.Services.GetRequiredService<Pseudonymizer>();
        Log.DataDirectory(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SpamGuardApp)),
            app.Services.GetRequiredService<IOptions<SpamGuard.Core.Feedback.FeedbackOptions>>().Value.DataDirectory);
        app.Services.StartSpamGuardTelemetry();
        if (redisEnabled)
        {
            app.Services.GetRequiredService<IConnectionMultiplexer>();
        }

        app.UseSpamGuardEdge();
        app.MapGrpcService<CommentFilterService>();
        if (app.Configuration.GetValue<bool>(BenchBaselineService.ConfigurationKey))
        {
            // spamguard bench --loopback: a no-op method on the same Kestrel and gRPC settings, to time checks against.
            app.MapGrpcService<BenchBaselineService>();
        }

        app.MapGrpcService<ModelAdminService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapSpamGuardPages();
        app.MapAkismet();
        app.MapPrivacyPage();
        app.MapReceiptPage();
        // Prometheus text format of the "SpamGuard" meter and the ASP.NET Core/Kestrel meters, behind the admin key
        // or on its own listener (Metrics:Url).
        app.MapSpamGuardMetrics();
        // Once started (settings validated, endpoints final): every gRPC method and status code exported at 0.
        app.Lifetime.ApplicationStarted.Register(() =>
            app.Services.GetRequiredService<Telemetry.GrpcCallMetrics>().Initialize(((IEndpointRouteBuilder)app).DataSources));

        return app;
    }

    /// <summary>
    /// The directory of the binary unless a content root is given explicitly. The service is started from any
    /// working directory (systemd, a container, a test runner), and appsettings.json with the Kestrel endpoints
    /// must load regardless; the generic host would otherwise look in the working directory.
    /// </summary>
    private static string? DefaultContentRoot(string[] args)
    {
        var explicitRoot = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase))
            || Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") is not null
            || Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT") is not null;
        return explicitRoot ? null : AppContext.BaseDirectory;
    }
}
