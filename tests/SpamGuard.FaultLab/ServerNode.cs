using System.Globalization;
using System.Net;

namespace SpamGuard.FaultLab;

/// <summary>
/// The real SpamGuard server (the Release build's dll) in Redis mode with site keys required, on two loopback ports
/// and its own data directory, started again on the same directory after a SIGTERM.
/// </summary>
internal sealed class ServerNode(LabOptions options, int grpcPort, int httpPort, string redisEndpoint, string adminKey, string pidFile)
{
    private readonly string _dataDirectory = Directory.CreateDirectory(Path.Combine(options.WorkDirectory, "server")).FullName;
    private readonly string _secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private ChildProcess? _process;

    public Uri GrpcAddress { get; } = new($"http://127.0.0.1:{grpcPort}");

    public Uri HttpAddress { get; } = new($"http://127.0.0.1:{httpPort}");

    public string LogPath => Path.Combine(options.WorkDirectory, "server.log");

    public int? Pid => _process?.Pid;

    public bool Running => _process is { Running: true };

    public long? RssKib() => _process?.RssKib();

    /// <param name="keysRequired">SiteKeys:Required; false only for the gate probe, which starts a node the way the
    /// default configuration does.</param>
    /// <param name="healthyWithin">How long /healthz may take to answer 200 (default 120 s); a TimeoutException after.</param>
    public async Task StartAsync(CancellationToken cancellationToken, bool keysRequired = true, TimeSpan? healthyWithin = null)
    {
        _process = new ChildProcess("spamguard-server", _dataDirectory, LogPath, pidFile);
        _process.Start("dotnet",
        [
            options.ServerDll,
            $"--Kestrel:Endpoints:Grpc:Url={GrpcAddress}",
            $"--Kestrel:Endpoints:Http:Url={HttpAddress}",
            $"--Redis:Configuration={redisEndpoint}",
            $"--Model:Path={options.ModelPath}",
            $"--SiteKeys:Required={(keysRequired ? "true" : "false")}",
            // The lab's load is many times a real site's; the limiters are exercised by the test suite, and the lab's
            // poisoning flood must be stopped by the agreement rule, not by a report budget.
            "--SiteKeys:RateLimit:RequestsPerMinute=0",
            // The lab sends junk keys and good ones from one loopback address; the guess budget is tested elsewhere.
            "--SiteKeys:GuessLimit:FailuresPerMinute=0",
            "--Reputation:ReportRateLimit:ReportsPerMinute=0",
            "--Feedback:JournalReplaySeconds=1",
            $"--Feedback:DataDirectory={Path.Combine(_dataDirectory, "data")}",
            "--Logging:LogLevel:Default=Warning",
        ],
        new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Admin__Key"] = adminKey,
            ["Privacy__PseudonymSecret"] = _secret,
        });
        await WaitUntilHealthyAsync(healthyWithin ?? TimeSpan.FromSeconds(120), cancellationToken);
    }

    /// <summary>A graceful stop (SIGTERM), as systemd or Kubernetes does; false when it needed SIGKILL after 30 s.</summary>
    public async Task<bool> StopAsync()
    {
        if (_process is not { Running: true } process)
        {
            return true;
        }

        await process.SignalAsync("TERM");
        if (await process.WaitForExitAsync(TimeSpan.FromSeconds(30)))
        {
            return true;
        }

        await process.KillAsync();
        return false;
    }

    public Task KillAsync() => _process?.KillAsync() ?? Task.CompletedTask;

    /// <summary>Lines of the server's log that are stack frames ("   at …"): each is a crash path a caller reached.</summary>
    public int StackFramesLogged()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var frames = 0;
            while (reader.ReadLine() is { } line)
            {
                if (line.TrimStart().StartsWith("at ", StringComparison.Ordinal) && line.StartsWith("   ", StringComparison.Ordinal))
                {
                    frames++;
                }
            }

            return frames;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private async Task WaitUntilHealthyAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process is not { Running: true })
            {
                throw new InvalidOperationException($"The SpamGuard server exited at start; see {LogPath}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(HttpAddress, "/healthz"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"The SpamGuard server was not healthy within {within.TotalSeconds} s; see {LogPath}."));
    }
}
