using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Comments;
using SpamGuard.ML.Data;
using SpamGuard.ML.Models;

namespace SpamGuard.Cli.Commands;

/// <summary>
/// <c>spamguard bench</c>: per-comment cost of featurise + score + explain on one thread; with --server, CheckComment
/// throughput and latency over a real gRPC connection with concurrent callers; with --loopback, the same against a
/// server it starts, alternated with a no-op gRPC method of that server, as a ratio, with the server's bytes per call.
/// </summary>
internal static class BenchCommand
{
    private static readonly JsonSerializerOptions Json = new(ModelFiles.CardJson) { WriteIndented = false };

    public static Command Create()
    {
        var model = CliOptions.Model();
        var data = CliOptions.Data("Comments to score (JSONL or CSV; labels are read but not used).");
        var runs = new Option<int>("--runs") { Description = "Timed passes over the data; the median of their medians is reported.", DefaultValueFactory = _ => 5 }.InRange(1, 1000);
        var server = CliOptions.Server("Measure CheckComment over gRPC against this running server instead of in process.", defaultValue: null);
        var compare = new Option<Uri>("--compare-server")
        {
            Description = "A second running server (e.g. one in Redis mode) measured in the same runs, alternating with --server; reports its throughput as a ratio of --server's.",
            CustomParser = CliOptions.ParseServer,
        };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent gRPC callers.", DefaultValueFactory = _ => 16 }.InRange(1, 4096);
        var requests = new Option<int>("--requests") { Description = "gRPC calls per run.", DefaultValueFactory = _ => 20000 }.InRange(1, 100_000_000);
        var duringRetrain = new Option<bool>("--during-retrain")
        {
            Description = $"With --server: alternate quiet runs with runs during a retrain the bench starts on that server (auto_promote false; admin key from {AdminCommand.KeyVariable}), and report check latency in both.",
        };
        var loopback = new Option<bool>("--loopback")
        {
            Description = "Start the server on 127.0.0.1 (the embedded default, or Redis mode with --redis) and time CheckComment against a no-op gRPC method of the same server (same request, Kestrel and gRPC settings), alternating runs; report both, their ratio and the server's allocated bytes per call.",
        };
        var redis = new Option<string>("--redis")
        {
            Description = "With --loopback: run the server in Redis mode on this Redis (host:port, or a StackExchange.Redis configuration string). The bench writes reputation and check records there: use a scratch instance.",
        };
        var serverBinary = new Option<FileInfo>("--server-binary")
        {
            Description = "With --loopback: the SpamGuard.Server.dll to start (default: beside this CLI, or the build output next to it).",
        };
        var json = CliOptions.Json();
        var command = new Command("bench", "Benchmark scoring in process (one thread), over gRPC with --server, or against a no-op gRPC method with --loopback.")
        {
            model, data, runs, server, compare, concurrency, requests, duringRetrain, loopback, redis, serverBinary, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var (examples, _) = CorpusLoader.Load(result.GetValue(data)!);
                var comments = examples.Select(OfflineScorer.ToComment).ToList();
                var runCount = Math.Max(1, result.GetValue(runs));
                var report = new Dictionary<string, object>
                {
                    ["comments"] = comments.Count,
                    ["runs"] = runCount,
                };
                if (result.GetValue(loopback))
                {
                    if (result.GetValue(server) is not null || result.GetValue(compare) is not null || result.GetValue(duringRetrain))
                    {
                        await Console.Error.WriteLineAsync("error: --loopback starts its own server: leave out --server, --compare-server and --during-retrain.");
                        return ExitCodes.BadInput;
                    }

                    var binary = BenchServer.Locate(result.GetValue(serverBinary));
                    var modelPath = CliOptions.ResolveModelPath(result.GetValue(model));
                    foreach (var (name, value) in await LoopbackBenchAsync(binary, modelPath, result.GetValue(redis), examples,
                                 result.GetValue(concurrency), result.GetValue(requests), runCount, cancellationToken))
                    {
                        report[name] = value;
                    }
                }
                else if (result.GetValue(redis) is not null || result.GetValue(serverBinary) is not null)
                {
                    await Console.Error.WriteLineAsync("error: --redis and --server-binary need --loopback.");
                    return ExitCodes.BadInput;
                }
                else if (result.GetValue(duringRetrain))
                {
                    if (result.GetValue(server) is not { } busyServer || result.GetValue(compare) is not null
                        || Environment.GetEnvironmentVariable(AdminCommand.KeyVariable) is not { Length: > 0 } adminKey)
                    {
                        await Console.Error.WriteLineAsync($"error: --during-retrain needs --server (and no --compare-server) and the admin key in {AdminCommand.KeyVariable}.");
                        return ExitCodes.BadInput;
                    }

                    foreach (var (name, value) in await RetrainBenchAsync(busyServer, adminKey, examples, result.GetValue(concurrency), result.GetValue(requests), runCount, cancellationToken))
                    {
                        report[name] = value;
                    }
                }
                else if (result.GetValue(server) is { } address)
                {
                    var targets = new List<Uri> { address };
                    if (result.GetValue(compare) is { } second)
                    {
                        targets.Add(second);
                    }

                    var grpc = await GrpcBenchAsync(targets, examples, result.GetValue(concurrency), result.GetValue(requests), runCount, cancellationToken);
                    report["grpc"] = grpc[0];
                    if (grpc.Count > 1)
                    {
                        report["grpc_compare"] = grpc[1];
                        report["compare_throughput_ratio"] = grpc[1]["median_requests_per_second"] / grpc[0]["median_requests_per_second"];
                    }
                }
                else if (result.GetValue(compare) is not null)
                {
                    await Console.Error.WriteLineAsync("error: --compare-server needs --server.");
                    return ExitCodes.BadInput;
                }
                else
                {
                    var scorer = OfflineScorer.Load(CliOptions.ResolveModelPath(result.GetValue(model)));
                    report["model_version"] = scorer.Card.ModelVersion;
                    report["in_process"] = InProcess(scorer, comments, runCount);
                }

                Console.Out.WriteLine(result.GetValue(json)
                    ? JsonSerializer.Serialize(report, Json)
                    : JsonSerializer.Serialize(report, ModelFiles.CardJson));
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is TrainingDataException or ModelLoadException)
            {
                await Console.Error.WriteLineAsync("error: " + ex.Message);
                return ExitCodes.BadInput;
            }
            catch (RpcException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.StatusCode}: {ex.Status.Detail}");
                return ExitCodes.ServerError;
            }
            catch (BenchServerException ex)
            {
                await Console.Error.WriteLineAsync("error: " + ex.Message);
                return ExitCodes.ServerError;
            }
        });
        return command;
    }

    /// <summary>Times each Check call on this thread, after warm-up passes that let tiered JIT and pools settle.</summary>
    private static Dictionary<string, double> InProcess(OfflineScorer scorer, List<Comment> comments, int runs)
    {
        for (var pass = 0; pass < 3; pass++)
        {
            foreach (var comment in comments)
            {
                scorer.Check(comment);
            }
        }

        var medians = new List<double>();
        var all = new List<double>(comments.Count * runs);
        var perSecond = new List<double>();
        var cpuPerComment = new List<double>();
        var bytesPerComment = new List<double>();
        using var process = Process.GetCurrentProcess();
        for (var run = 0; run < runs; run++)
        {
            var times = new double[comments.Count];
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < comments.Count; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                scorer.Check(comments[i]);
                times[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }

            bytesPerComment.Add((GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)comments.Count);

            perSecond.Add(comments.Count / Stopwatch.GetElapsedTime(started).TotalSeconds);
            process.Refresh();
            // CPU time, unlike wall time, does not grow when a shared host steals the core from this VM.
            cpuPerComment.Add((process.TotalProcessorTime - cpuBefore).TotalMicroseconds / comments.Count);
            medians.Add(Percentile(times, 0.5));
            all.AddRange(times);
        }

        return new Dictionary<string, double>
        {
            ["median_us_per_comment"] = Percentile(medians, 0.5),
            ["p90_us"] = Percentile(all, 0.9),
            ["p99_us"] = Percentile(all, 0.99),
            ["comments_per_second_one_thread"] = Percentile(perSecond, 0.5),
            ["mean_cpu_us_per_comment"] = Percentile(cpuPerComment, 0.5),
            ["bytes_allocated_per_comment"] = Percentile(bytesPerComment, 0.5),
        };
    }

    /// <summary>
    /// Runs the same load against each target; with two, the runs alternate (A B, B A, …) so that a noisy neighbour
    /// or a warming cache does not favour one of them.
    /// </summary>
    private static async Task<List<Dictionary<string, double>>> GrpcBenchAsync(IReadOnlyList<Uri> addresses, List<TrainingExample> examples,
        int concurrency, int requests, int runs, CancellationToken cancellationToken)
    {
        var payloads = Payloads(examples);
        var targets = addresses.Select(a => new GrpcLoad(a, GrpcLoad.CheckComment, payloads, concurrency)).ToList();
        try
        {
            foreach (var target in targets)
            {
                await target.WarmUpAsync(Math.Min(requests, 2000), cancellationToken);
            }

            for (var run = 0; run < runs; run++)
            {
                var order = run % 2 == 0 ? targets : Enumerable.Reverse(targets);
                foreach (var target in order)
                {
                    await target.MeasureAsync(requests, cancellationToken);
                }
            }

            return [.. targets.Select(t => t.Report(requests))];
        }
        finally
        {
            foreach (var target in targets)
            {
                target.Dispose();
            }
        }
    }

    /// <summary>
    /// One server started for the bench, loaded by two targets in alternating runs (no-op first, then check first, …):
    /// CheckComment and the no-op method with the same request. Every caller has its own HTTP/2 connection, as with
    /// <c>h2load -c 16 -m 1</c>. The server's allocated bytes and CPU time are sampled around each run.
    /// </summary>
    private static async Task<Dictionary<string, object>> LoopbackBenchAsync(FileInfo binary, string modelPath, string? redis,
        List<TrainingExample> examples, int concurrency, int requests, int runs, CancellationToken cancellationToken)
    {
        var payloads = Payloads(examples);
        using var server = await BenchServer.StartAsync(binary, modelPath, redis, cancellationToken);
        using var check = new GrpcLoad(server.GrpcAddress, GrpcLoad.CheckComment, payloads, concurrency, connections: concurrency);
        using var noOp = new GrpcLoad(server.GrpcAddress, BenchServer.NoOpMethod(GrpcLoad.RequestMarshaller, GrpcLoad.ResponseMarshaller),
            payloads, concurrency, connections: concurrency);
        await noOp.WarmUpAsync(Math.Min(requests, 2000), cancellationToken);
        await check.WarmUpAsync(Math.Min(requests, 2000), cancellationToken);
        for (var run = 0; run < runs; run++)
        {
            foreach (var target in run % 2 == 0 ? new[] { noOp, check } : [check, noOp])
            {
                var (bytesBefore, cpuBefore) = await server.SampleAsync(cancellationToken);
                await target.MeasureAsync(requests, cancellationToken);
                var (bytesAfter, cpuAfter) = await server.SampleAsync(cancellationToken);
                target.AddServerCost(bytesAfter - bytesBefore, cpuAfter - cpuBefore, requests);
            }
        }

        return new Dictionary<string, object>
        {
            ["mode"] = redis is null ? "embedded" : "redis",
            ["check"] = check.Report(requests),
            ["noop"] = noOp.Report(requests),
            ["check_to_noop_throughput_ratio"] = check.MedianRequestsPerSecond / noOp.MedianRequestsPerSecond,
            ["check_to_noop_p99_ratio"] = check.P99Milliseconds / noOp.P99Milliseconds,
        };
    }

    // Each comment comes from one of a few thousand readers (IP and e-mail), so reputation has real subjects to look
    // up and count, as on a live blog.
    private static List<CheckCommentRequest> Payloads(List<TrainingExample> examples) =>
    [
        .. examples.Select((e, i) => new CheckCommentRequest
        {
            Site = "https://bench.invalid/",
            Content = e.Content,
            Author = e.Author ?? "",
            UserIp = $"10.{(i % 5000) / 250}.{i % 250}.{(i * 7) % 250 + 1}",
            AuthorEmail = $"reader{i % 5000}@mail.example",
        }),
    ];

    /// <summary>
    /// Check latency with and without a retrain running on the same server: runs alternate, quiet then during a retrain
    /// the bench starts (not promoted, so every run scores on the same model). A busy run that outlasts the retrain
    /// is partly quiet; the report gives the smallest share of a busy run that overlapped training.
    /// </summary>
    private static async Task<Dictionary<string, object>> RetrainBenchAsync(Uri address, string adminKey, List<TrainingExample> examples,
        int concurrency, int requests, int runs, CancellationToken cancellationToken)
    {
        var payloads = Payloads(examples);
        using var quiet = new GrpcLoad(address, GrpcLoad.CheckComment, payloads, concurrency);
        using var busy = new GrpcLoad(address, GrpcLoad.CheckComment, payloads, concurrency);
        using var channel = GrpcChannel.ForAddress(address);
        var admin = new ModelAdmin.ModelAdminClient(channel);
        await quiet.WarmUpAsync(Math.Min(requests, 2000), cancellationToken);
        var overlaps = new List<double>();
        var retrainSeconds = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            await quiet.MeasureAsync(requests, cancellationToken);
            using var call = admin.Retrain(new RetrainRequest { AutoPromote = false }, CliOptions.Bearer(adminKey), DateTime.UtcNow.AddHours(1), cancellationToken);
            var clock = Stopwatch.StartNew();
            var retrain = Task.Run(async () =>
            {
                RetrainProgress? last = null;
                await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    last = message;
                }

                return last is { Error.Length: 0, Result: not null }
                    ? clock.Elapsed
                    : throw new RpcException(new Status(StatusCode.Aborted, "the retrain failed: " + last?.Error));
            }, cancellationToken);
            var runStart = clock.Elapsed;
            await busy.MeasureAsync(requests, cancellationToken);
            var runEnd = clock.Elapsed;
            var retrainEnd = await retrain;
            overlaps.Add(((retrainEnd < runEnd ? retrainEnd : runEnd) - runStart) / (runEnd - runStart));
            retrainSeconds.Add(retrainEnd.TotalSeconds);
        }

        return new Dictionary<string, object>
        {
            ["grpc"] = quiet.Report(requests),
            ["grpc_during_retrain"] = busy.Report(requests),
            ["median_retrain_seconds"] = Percentile(retrainSeconds, 0.5),
            ["min_share_of_busy_run_during_retrain"] = overlaps.Min(),
        };
    }

    internal static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = q * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
