using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Commands;

/// <summary>
/// Concurrent callers of one unary method with CheckComment's request and response, and the figures of every run
/// against it. Every method it calls goes through the same client marshallers, so two targets differ only in what
/// the server does.
/// </summary>
internal sealed class GrpcLoad : IDisposable
{
    public static readonly Marshaller<CheckCommentRequest> RequestMarshaller = BufferMarshaller(CheckCommentRequest.Parser);

    public static readonly Marshaller<CheckCommentResponse> ResponseMarshaller = BufferMarshaller(CheckCommentResponse.Parser);

    public static readonly Method<CheckCommentRequest, CheckCommentResponse> CheckComment = new(
        MethodType.Unary, CommentFilter.Descriptor.FullName, "CheckComment", RequestMarshaller, ResponseMarshaller);

    private readonly GrpcChannel[] _channels;
    private readonly Method<CheckCommentRequest, CheckCommentResponse> _method;
    private readonly List<CheckCommentRequest> _payloads;
    private readonly int _concurrency;
    private readonly bool _countsReputation;
    private readonly List<double> _throughputs = [];
    private readonly List<double> _latencies = [];
    private readonly List<double> _serverBytesPerCall = [];
    private readonly List<double> _serverCpuPerCall = [];
    private int _failures;
    private int _withoutReputation;

    /// <param name="connections">HTTP/2 connections the callers share, round robin (one per caller is what
    /// <c>h2load -c 16 -m 1</c> does).</param>
    public GrpcLoad(Uri address, Method<CheckCommentRequest, CheckCommentResponse> method, List<CheckCommentRequest> payloads, int concurrency, int connections = 1)
    {
        _channels = [.. Enumerable.Range(0, Math.Max(1, connections)).Select(_ => GrpcChannel.ForAddress(address))];
        _method = method;
        _payloads = payloads;
        _concurrency = concurrency;
        _countsReputation = method == CheckComment;
        Address = address;
    }

    public Uri Address { get; }

    public async Task WarmUpAsync(int count, CancellationToken cancellationToken)
    {
        // Connections, JIT and engine pools on both sides.
        var (_, warmed, _, _) = await RunAsync(count, cancellationToken);
        if (warmed.Count == 0)
        {
            // Nothing to measure: every call failed (no server there, or it refuses every request).
            throw new RpcException(new Status(StatusCode.Unavailable, $"every {_method.Name} call to {Address} failed during warm-up"));
        }
    }

    public async Task MeasureAsync(int count, CancellationToken cancellationToken)
    {
        var (elapsed, times, failed, withoutReputation) = await RunAsync(count, cancellationToken);
        _withoutReputation += withoutReputation;
        // Answered calls only: a failure that comes back fast is not throughput.
        _throughputs.Add(times.Count / elapsed.TotalSeconds);
        _latencies.AddRange(times);
        _failures += failed;
    }

    /// <summary>What the server spent on one measured run of <paramref name="calls"/> calls.</summary>
    public void AddServerCost(long allocatedBytes, TimeSpan cpu, int calls)
    {
        _serverBytesPerCall.Add((double)allocatedBytes / calls);
        _serverCpuPerCall.Add(cpu.TotalMicroseconds / calls);
    }

    public double MedianRequestsPerSecond => BenchCommand.Percentile(_throughputs, 0.5);

    public double P99Milliseconds => BenchCommand.Percentile(_latencies, 0.99);

    public Dictionary<string, double> Report(int requests)
    {
        var report = new Dictionary<string, double>
        {
            ["concurrency"] = _concurrency,
            ["connections"] = _channels.Length,
            ["requests_per_run"] = requests,
            ["median_requests_per_second"] = MedianRequestsPerSecond,
            ["p50_ms"] = BenchCommand.Percentile(_latencies, 0.5),
            ["p99_ms"] = P99Milliseconds,
            ["failed"] = _failures,
        };
        if (_countsReputation)
        {
            // Answered, but scored without reputation because the store did not answer within its timeout.
            report["without_reputation"] = _withoutReputation;
        }

        if (_serverBytesPerCall.Count > 0)
        {
            report["server_bytes_allocated_per_call"] = BenchCommand.Percentile(_serverBytesPerCall, 0.5);
            report["server_cpu_us_per_call"] = BenchCommand.Percentile(_serverCpuPerCall, 0.5);
        }

        return report;
    }

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }

    private async Task<(TimeSpan Elapsed, List<double> Times, int Failed, int WithoutReputation)> RunAsync(int count, CancellationToken cancellationToken)
    {
        var invokers = _channels.Select(c => c.CreateCallInvoker()).ToArray();
        var next = -1;
        var failed = 0;
        var withoutReputation = 0;
        var perWorker = new List<double>[_concurrency];
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, _concurrency).Select(async worker =>
        {
            var times = perWorker[worker] = [];
            var invoker = invokers[worker % invokers.Length];
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
                    var response = await invoker.AsyncUnaryCall(_method, null, options, _payloads[i % _payloads.Count]);
                    times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    if (_countsReputation && !response.ReputationAvailable)
                    {
                        Interlocked.Increment(ref withoutReputation);
                    }
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        return (Stopwatch.GetElapsedTime(started), perWorker.SelectMany(t => t).ToList(), failed, withoutReputation);
    }

    // Writes into gRPC's buffer and parses from its sequence, as the generated code does, without a byte[] per call.
    private static Marshaller<T> BufferMarshaller<T>(MessageParser<T> parser)
        where T : IMessage<T>, IBufferMessage => new(
        static (message, context) =>
        {
            context.SetPayloadLength(message.CalculateSize());
            message.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
