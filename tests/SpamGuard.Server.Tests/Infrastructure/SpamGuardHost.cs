using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SpamGuard.Core.Scoring;
using SpamGuard.ML;
using SpamGuard.Server.Hosting;
using SpamGuard.Server.Tests.TestDoubles;

using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Infrastructure;

/// <summary>
/// The real server (<see cref="SpamGuardApp.Build"/>, as Program.cs runs it) listening on free loopback ports, with
/// <see cref="ISpamClassifier"/> replaced by a <see cref="SettableSpamClassifier"/>.
/// </summary>
internal sealed class SpamGuardHost : IAsyncDisposable
{
    /// <summary>Every network call in these tests gets this long at most, so a hang fails fast.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;

    private readonly SettableSpamClassifier? _classifier;

    private SpamGuardHost(WebApplication app, SettableSpamClassifier? classifier, int grpcPort, int httpPort)
    {
        _app = app;
        _classifier = classifier;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = CallTimeout };
    }

    public static DateTime Deadline => DateTime.UtcNow.Add(CallTimeout);

    /// <summary>The test double's classifier; only for hosts started with a test model.</summary>
    public SettableSpamClassifier Classifier =>
        _classifier ?? throw new InvalidOperationException("This host serves a real model file, not a test double.");

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public GrpcChannel Channel { get; }

    /// <summary>Client for the HTTP/1 endpoint.</summary>
    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Addresses Kestrel actually bound.</summary>
    public IReadOnlyCollection<string> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.ToList();

    /// <param name="model">The model to serve; null starts the host as if the model were still loading.</param>
    /// <param name="extraArgs">More command-line arguments; later ones win.</param>
    public static Task<SpamGuardHost> StartAsync(IScoringModel? model, params string[] extraArgs) =>
        StartAsync(model, configureServices: null, extraArgs);

    /// <param name="configureServices">Runs after the test classifier is registered.</param>
    public static async Task<SpamGuardHost> StartAsync(
        IScoringModel? model, Action<IServiceCollection>? configureServices, params string[] extraArgs)
    {
        var (grpcPort, httpPort) = LoopbackPorts.FreePair();
        var classifier = new SettableSpamClassifier { Current = model };
        string[] args =
        [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
            "--environment=Production",
            "--Logging:LogLevel:Default=Warning",
            .. StorageArgs(),
            .. extraArgs,
        ];
        var app = SpamGuardApp.Build(args, services =>
        {
            services.RemoveAll<ISpamClassifier>();
            // The test double is the model; the loader of the real one is not wanted here.
            foreach (var loader in services.Where(d => d.ImplementationType == typeof(ModelLoader) || d.ImplementationType == typeof(ModelSyncService)).ToList())
            {
                services.Remove(loader);
            }
            services.AddSingleton<ISpamClassifier>(classifier);
            configureServices?.Invoke(services);
        });

        using var startTimeout = new CancellationTokenSource(CallTimeout);
        try
        {
            await app.StartAsync(startTimeout.Token);
        }
        catch
        {
            // A host that fails to start must not live on: its meters would show in other hosts' scrapes.
            await app.DisposeAsync();
            throw;
        }

        return new SpamGuardHost(app, classifier, grpcPort, httpPort);
    }

    /// <summary>Starts the host exactly as shipped, loading the model file at <paramref name="modelPath"/>.</summary>
    public static async Task<SpamGuardHost> StartWithModelFileAsync(string modelPath, params string[] extraArgs)
    {
        var (grpcPort, httpPort) = LoopbackPorts.FreePair();
        var app = SpamGuardApp.Build(
        [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
            "--environment=Production",
            "--Logging:LogLevel:Default=Warning",
            $"--Model:Path={modelPath}",
            .. StorageArgs(),
            .. extraArgs,
        ]);
        using var startTimeout = new CancellationTokenSource(CallTimeout);
        try
        {
            await app.StartAsync(startTimeout.Token);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new SpamGuardHost(app, classifier: null, grpcPort, httpPort);
    }

    private static readonly string StorageRoot = CreateStorageRoot();

    /// <summary>Local files of each host (secret, examples, journal) go to a fresh directory under one temporary root
    /// per test run, never the test's working directory.</summary>
    public static string[] StorageArgs()
    {
        var dir = Directory.CreateDirectory(Path.Combine(StorageRoot, Guid.NewGuid().ToString("N"))).FullName;
        return [$"--Feedback:DataDirectory={dir}", $"--Privacy:PseudonymSecretFile={Path.Combine(dir, "pseudonym-secret.key")}"];
    }

    private static string CreateStorageRoot()
    {
        var root = Directory.CreateTempSubdirectory("spamguard-hosts-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A file still open at exit; the temporary directory is the OS's to clean then.
            }
        };
        return root;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        using var stopTimeout = new CancellationTokenSource(CallTimeout);
        await _app.StopAsync(stopTimeout.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>One host with the keyword test double loaded, shared by a test class.</summary>
public sealed class LoadedHostFixture : IAsyncLifetime
{
    private SpamGuardHost? _host;

    internal SpamGuardHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    public async Task InitializeAsync() => _host = await SpamGuardHost.StartAsync(new KeywordTestModel());

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

/// <summary>A real redis-server and a host in Redis mode on it, shared by one test class.</summary>
public sealed class RedisHostFixture : IAsyncLifetime
{
    private RedisServerProcess? _redis;
    private SpamGuardHost? _host;

    internal SpamGuardHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    public async Task InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        // Patient: these tests are about behaviour, not the 50 ms guard, and CI machines are loaded.
        _host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Redis:Configuration={_redis.Endpoint}", "--Redis:Resilience:TimeoutMilliseconds=2000");
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
