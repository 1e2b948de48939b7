using System.Diagnostics;
using System.Net;

using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests.Infrastructure;

/// <summary>
/// The real server binary (SpamGuard.Server.dll from its own build output) as a child process on free loopback
/// ports. Built before these tests by the build-order-only project reference.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process;

    private ServerProcess(ChildProcess process, int grpcPort, int httpPort)
    {
        _process = process;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";

    public string HttpAddress => $"http://127.0.0.1:{HttpPort}";

    public string StdOut => _process.StdOut;

    public string StdErr => _process.StdErr;

    /// <summary>
    /// <c>&lt;repo&gt;/artifacts/bin/SpamGuard.Server/&lt;config&gt;/SpamGuard.Server.dll</c>, the configuration folder taken
    /// from this test assembly's own <c>&lt;repo&gt;/artifacts/bin/SpamGuard.Cli.Tests/&lt;config&gt;/</c>.
    /// </summary>
    public static string AssemblyPath { get; } = FindServerAssembly();

    /// <summary>The arguments every start gets: the two endpoints on the given ports, production, quiet logs, and a
    /// fresh temporary directory for the server's local files (secret, examples).</summary>
    public static string[] BaseArgs(int grpcPort, int httpPort)
    {
        var data = Directory.CreateTempSubdirectory("spamguard-cli-server-").FullName;
        return
        [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
            "--environment=Production",
            "--Logging:LogLevel:Default=Warning",
            $"--Feedback:DataDirectory={data}",
            $"--Privacy:PseudonymSecretFile={Path.Combine(data, "pseudonym-secret.key")}",
        ];
    }

    /// <summary>Starts the server on <paramref name="modelPath"/> and waits until <c>GET /healthz</c> answers 200.</summary>
    public static Task<ServerProcess> StartAsync(string modelPath, params string[] extraArgs) =>
        StartAsync(modelPath, new Dictionary<string, string>(), extraArgs);

    /// <summary>The same, with environment variables (settings as a container or service manager passes them);
    /// the command-line arguments win over them.</summary>
    public static async Task<ServerProcess> StartAsync(string modelPath, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        var (grpcPort, httpPort) = LoopbackPorts.FreePair();
        var child = ChildProcess.Start(AssemblyPath, [.. BaseArgs(grpcPort, httpPort), $"--Model:Path={modelPath}", .. extraArgs], environment: environment);
        var server = new ServerProcess(child, grpcPort, httpPort);
        try
        {
            await server.WaitUntilHealthyAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public void Dispose() => _process.Dispose();

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        var last = "no answer yet";
        while (deadline.Elapsed < StartDeadline)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"The server exited during start-up.\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"{HttpAddress}/healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException)
            {
                last = "timed out";
            }

            await Task.Delay(200);
        }

        Assert.Fail($"The server was not healthy within {StartDeadline.TotalSeconds:0} s (last: {last}).\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}");
    }

    private static string FindServerAssembly()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        var configuration = testOutput.Name;
        var bin = testOutput.Parent?.Parent
                  ?? throw new InvalidOperationException($"Unexpected test output layout: {testOutput.FullName}");
        return Path.Combine(bin.FullName, "SpamGuard.Server", configuration, "SpamGuard.Server.dll");
    }
}

/// <summary>One real server process serving <see cref="Testing.TinyModel"/>, shared by a test class.</summary>
public sealed class TinyModelServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>The admin key the fixture's server is started with.</summary>
    public const string AdminKey = "cli-test-admin-key-long-enough";

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(Testing.TinyModel.ZipPath, $"--Admin:Key={AdminKey}");

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }
}
