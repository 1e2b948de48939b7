using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace SpamGuard.Cli.Commands;

/// <summary>The server was not found, or did not start and answer its health check.</summary>
internal sealed class BenchServerException(string message) : Exception(message);

/// <summary>
/// The real server binary, started by <c>spamguard bench --loopback</c> as a child process on free 127.0.0.1 ports,
/// with its shipped settings (appsettings.json beside it, Production) plus the bench's no-op baseline method, a fresh
/// data directory, and Redis mode when asked. Its own process, so the allocations counted are the server's alone.
/// </summary>
internal sealed class BenchServer : IDisposable
{
    /// <summary>What the server's AllocatedBytes method is called on the wire (src/SpamGuard.Server/Scoring/BenchBaselineService.cs).</summary>
    private const string BaselineService = "spamguard.bench.v1.Baseline";

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    private static readonly Method<Empty, Int64Value> AllocatedBytesMethod = new(
        MethodType.Unary, BaselineService, "AllocatedBytes",
        Marshallers.Create(static (Empty m) => m.ToByteArray(), Empty.Parser.ParseFrom),
        Marshallers.Create(static (Int64Value m) => m.ToByteArray(), Int64Value.Parser.ParseFrom));

    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly Queue<string> _lastLines = new();
    private readonly GrpcChannel _control;

    private BenchServer(Process process, string dataDirectory, Uri grpcAddress)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        GrpcAddress = grpcAddress;
        _control = GrpcChannel.ForAddress(grpcAddress);
    }

    public Uri GrpcAddress { get; }

    /// <summary>The no-op method: CheckComment's request and response, answered without any work.</summary>
    public static Method<TRequest, TResponse> NoOpMethod<TRequest, TResponse>(Marshaller<TRequest> request, Marshaller<TResponse> response) =>
        new(MethodType.Unary, BaselineService, "NoOpCheck", request, response);

    /// <summary>SpamGuard.Server.dll: the one given, else beside this CLI (a published install), else in the build
    /// output next to the CLI's (<c>artifacts/bin/SpamGuard.Server/&lt;configuration&gt;/</c>).</summary>
    public static FileInfo Locate(FileInfo? given)
    {
        if (given is not null)
        {
            return given.Exists ? given : throw new BenchServerException($"--server-binary {given.FullName} does not exist.");
        }

        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string[] candidates =
        [
            Path.Combine(here.FullName, "SpamGuard.Server.dll"),
            Path.Combine(here.Parent?.Parent?.FullName ?? here.FullName, "SpamGuard.Server", here.Name, "SpamGuard.Server.dll"),
        ];
        return candidates.Select(c => new FileInfo(c)).FirstOrDefault(f => f.Exists)
            ?? throw new BenchServerException($"cannot find SpamGuard.Server.dll (looked at {string.Join(", ", candidates)}); pass --server-binary.");
    }

    public static async Task<BenchServer> StartAsync(FileInfo binary, string modelPath, string? redis, CancellationToken cancellationToken)
    {
        var grpcPort = FreePort();
        var httpPort = FreePort();
        var data = Directory.CreateTempSubdirectory("spamguard-bench-").FullName;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = data,
        };
        string[] args =
        [
            binary.FullName,
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
            "--environment=Production",
            $"--Model:Path={modelPath}",
            $"--Feedback:DataDirectory={data}",
            $"--Privacy:PseudonymSecretFile={Path.Combine(data, "pseudonym-secret.key")}",
            "--Bench:Baseline=true",
            // The bench is one site's flood in open mode (no keys): the open-mode limit per site (60,000 a minute)
            // would refuse most of it, and the ratio would time refusals instead of checks.
            "--SiteKeys:RateLimit:OpenRequestsPerMinute=0",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (redis is not null)
        {
            start.ArgumentList.Add($"--Redis:Configuration={redis}");
        }

        var process = Process.Start(start) ?? throw new BenchServerException("the server process did not start.");
        var server = new BenchServer(process, data, new Uri($"http://127.0.0.1:{grpcPort}"));
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilHealthyAsync(new Uri($"http://127.0.0.1:{httpPort}/healthz"), cancellationToken);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>The server's allocated bytes since it started, and the CPU time its process used.</summary>
    public async Task<(long AllocatedBytes, TimeSpan Cpu)> SampleAsync(CancellationToken cancellationToken)
    {
        var allocated = await _control.CreateCallInvoker().AsyncUnaryCall(
            AllocatedBytesMethod, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken), new Empty());
        _process.Refresh();
        return (allocated.Value, _process.TotalProcessorTime);
    }

    public void Dispose()
    {
        _control.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the exiting server: a temporary directory, left to the system.
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 20)
            {
                _lastLines.Dequeue();
            }
        }
    }

    private string LastLines()
    {
        lock (_lastLines)
        {
            return string.Join(Environment.NewLine, _lastLines);
        }
    }

    private async Task WaitUntilHealthyAsync(Uri health, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartDeadline)
        {
            if (_process.HasExited)
            {
                throw new BenchServerException($"the server exited during start-up (exit code {_process.ExitCode}):{Environment.NewLine}{LastLines()}");
            }

            try
            {
                using var response = await http.GetAsync(health, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Listening, not answering yet.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new BenchServerException($"the server was not healthy within {StartDeadline.TotalSeconds:0} s:{Environment.NewLine}{LastLines()}");
    }

    // Free now; another process could take it before the server binds, which then fails the start with a clear error.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The dotnet host that runs this CLI (or DOTNET_HOST_PATH, as the SDK sets it), else dotnet on the PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host)
        {
            return host;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
