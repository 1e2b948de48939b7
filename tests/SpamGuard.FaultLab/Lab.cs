using System.Net;
using System.Net.Sockets;
using SpamGuard.Contracts.V1;

namespace SpamGuard.FaultLab;

/// <summary>
/// The run: a real redis-server and a real SpamGuard server on loopback, the scenarios in order, then the proof that
/// every accepted report was applied. Owns both processes and kills them on the way out.
/// </summary>
internal sealed class Lab(LabOptions options, LabCounters counters)
{
    private readonly string _pidFile = Path.Combine(options.WorkDirectory, "pids");
    private readonly string _adminKey = "lab-admin-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    private RedisNode? _redis;
    private ServerNode? _server;
    private int _stackFramesSeen;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var redisPort = FreePort();
        var grpcPort = FreePort();
        var httpPort = FreePort();
        _redis = new RedisNode(redisPort, Directory.CreateDirectory(Path.Combine(options.WorkDirectory, "redis")).FullName, _pidFile);
        await _redis.StartAsync(cancellationToken);
        _server = new ServerNode(options, grpcPort, httpPort, _redis.Endpoint, _adminKey, _pidFile);
        await _server.StartAsync(cancellationToken);
        counters.Note($"redis-server {_redis.Endpoint}, SpamGuard gRPC {_server.GrpcAddress}, HTTP {_server.HttpAddress}, logs in {options.WorkDirectory}");

        using var client = new LabClient(_server.GrpcAddress, counters);
        var sites = new List<LabSite>();
        for (var i = 0; i < options.Callers; i++)
        {
            sites.Add(await CreateSiteAsync(client, $"https://site{i}.lab.example/", cancellationToken));
        }

        var comments = new CommentFactory(seed: 17);
        var ledger = new ReportLedger(counters);
        var load = new LoadRunner(client, sites, comments, ledger, counters, options);
        var rss = new RssSampler(_server);
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = rss.RunAsync(stopSampling.Token);

        try
        {
            if (options.Soak > TimeSpan.Zero)
            {
                await SoakAsync(load, cancellationToken);
            }
            else
            {
                await ShortRunAsync(client, load, sites, cancellationToken);
            }
        }
        finally
        {
            // Reported even when a phase ends the run early.
            await stopSampling.CancelAsync();
            await sampling;
            counters.Note(rss.Describe());
        }
        if (options.Soak > TimeSpan.Zero && rss.Result() is { } result && result.GrowthPercent > options.RssGrowthTolerancePercent)
        {
            counters.Add("rss_not_flat");
        }

        counters.BeginPhase("verify");
        // Redis is up; the journal replays every second, but thousands of journaled reports take a while: a report
        // re-sent before its journal entry is replayed would answer RECORDED and be wrongly counted as lost.
        await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
        await ledger.VerifyAsync(client, parallelism: 4, cancellationToken);
        CountStackFrames();
    }

    public async Task CleanUpAsync()
    {
        if (_server is not null)
        {
            await _server.KillAsync();
        }

        if (_redis is not null)
        {
            await _redis.KillAsync();
        }
    }

    private async Task ShortRunAsync(LabClient client, LoadRunner load, List<LabSite> sites, CancellationToken cancellationToken)
    {
        var phase = options.Phase;
        var redis = _redis!;
        var server = _server!;
        await WithLoadAsync("steady", load, _ => Task.CompletedTask, cancellationToken);
        await WithLoadAsync("redis-kill", load, async ct =>
        {
            await Task.Delay(phase / 4, ct);
            await redis.KillAsync();
            await Task.Delay(phase / 4, ct);
            await redis.StartAsync(ct);
        }, cancellationToken);
        await WithLoadAsync("redis-freeze", load, async ct =>
        {
            await Task.Delay(phase / 4, ct);
            await redis.FreezeAsync();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
            }
            finally
            {
                await redis.ThawAsync();
            }
        }, cancellationToken);
        await WithLoadAsync("redis-full", load, async ct =>
        {
            await Task.Delay(phase / 4, ct);
            await redis.FillAsync(ct);
            await Task.Delay(phase / 4, ct);
            await redis.UnfillAsync(ct);
        }, cancellationToken);
        await WithLoadAsync("server-restart", load, async ct =>
        {
            for (var restart = 0; restart < 2; restart++)
            {
                await Task.Delay(phase / 4, ct);
                if (!await server.StopAsync())
                {
                    counters.Add("server_needed_sigkill");
                }

                await server.StartAsync(ct);
            }
        }, cancellationToken);

        counters.BeginPhase("hostile-input");
        await new HostileForms(server.HttpAddress, sites[0], counters).RunAsync(cancellationToken);
        await new GrpcFraming(server.GrpcAddress, sites[0], counters).RunAsync(cancellationToken);
        CountStackFrames();

        counters.BeginPhase("poisoning");
        var attacker = await CreateSiteAsync(client, "https://attacker.lab.example/", cancellationToken);
        var victim = await CreateSiteAsync(client, "https://victim.lab.example/", cancellationToken);
        await new PoisoningFlood(client, attacker, victim, counters).RunAsync(cancellationToken);

        await GateProbeAsync(client, cancellationToken);
    }

    /// <summary>
    /// A node started while Redis is down, with the default SiteKeys:Required=false, in a deployment where keys exist:
    /// it cannot know that keys exist, so it must refuse keyless calls rather than fall open. Every keyless check or
    /// report it accepts is counted as gate_open. The node is then restarted as before, with Redis back.
    /// </summary>
    private async Task GateProbeAsync(LabClient client, CancellationToken cancellationToken)
    {
        counters.BeginPhase("gate-probe");
        var redis = _redis!;
        var server = _server!;
        await redis.KillAsync();
        await server.StopAsync();
        try
        {
            await server.StartAsync(cancellationToken, keysRequired: false, healthyWithin: TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            // A node may rightly call itself not serving while it cannot read its keys; probe it all the same.
            counters.Note("gate probe: the node started while Redis was down did not report healthy within 60 s; probed anyway");
        }

        var comments = new CommentFactory(seed: 99);
        for (var i = 0; i < 10; i++)
        {
            var (request, _) = comments.Next("https://site0.lab.example/");
            request.UserIp = "192.0.2.77";
            var check = await client.CallAsync("keyless_check", o => client.Filter.CheckCommentAsync(request, o), [], TimeSpan.FromSeconds(3), cancellationToken);
            var report = await client.CallAsync("keyless_report", o => client.Filter.SubmitSpamAsync(new SubmitFeedbackRequest { Comment = request }, o), [], TimeSpan.FromSeconds(3), cancellationToken);
            counters.Add("gate_open", (check.Ok ? 1 : 0) + (report.Ok ? 1 : 0));
            counters.Add("gate_closed", (check.Ok ? 0 : 1) + (report.Ok ? 0 : 1));
        }

        await redis.StartAsync(cancellationToken);
        await server.StopAsync();
        await server.StartAsync(cancellationToken);
        CountStackFrames();
    }

    private async Task SoakAsync(LoadRunner load, CancellationToken cancellationToken)
    {
        var redis = _redis!;
        var soak = options.Soak;
        await WithLoadAsync("soak-redis", load, ct => Task.Delay(soak, ct), cancellationToken);
        await WithLoadAsync("soak-redis-restarts", load, async ct =>
        {
            for (var kill = 0; kill < 2; kill++)
            {
                await Task.Delay(soak / 3, ct);
                await redis.KillAsync();
                await Task.Delay(TimeSpan.FromSeconds(10), ct);
                await redis.StartAsync(ct);
            }

            await Task.Delay(soak / 3, ct);
        }, cancellationToken);
    }

    /// <summary>Runs the load for the phase's length and at least 5 s past the end of <paramref name="faults"/>.</summary>
    private async Task WithLoadAsync(string phase, LoadRunner load, Func<CancellationToken, Task> faults, CancellationToken cancellationToken)
    {
        counters.BeginPhase(phase);
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = load.RunAsync(stopLoad.Token, cancellationToken);
        var minimum = Task.Delay(options.Phase, cancellationToken);
        try
        {
            await faults(cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            await minimum;
        }
        finally
        {
            await stopLoad.CancelAsync();
            await running;
            CountStackFrames();
        }
    }

    private async Task<LabSite> CreateSiteAsync(LabClient client, string url, CancellationToken cancellationToken)
    {
        var result = await client.CallAsync("admin", o => client.Admin.CreateSiteKeyAsync(new CreateSiteKeyRequest { Sites = { url } }, o),
            LabClient.Bearer(_adminKey), TimeSpan.FromSeconds(30), cancellationToken);
        return result.Value is { } created
            ? new LabSite(url, created.Key)
            : throw new InvalidOperationException($"CreateSiteKey for {url} answered {result.Status}.");
    }

    /// <summary>New stack frames in the server's log since the last look, counted in the current phase; and whether
    /// the server is still running (the lab never stops it at a phase's end).</summary>
    private void CountStackFrames()
    {
        if (_server is { Running: false })
        {
            counters.Add("server_exited");
            counters.Note($"the SpamGuard server exited by itself during {counters.Phase}; see {_server.LogPath}");
        }

        var frames = _server?.StackFramesLogged() ?? 0;
        if (frames > _stackFramesSeen)
        {
            counters.Add("server_log_stack_frames", frames - _stackFramesSeen);
        }

        _stackFramesSeen = frames;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
