using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using SpamGuard.Contracts.V1;

namespace SpamGuard.FaultLab;

/// <summary>The answer to one logical call after its retries: the response, or the status it ended with.</summary>
internal readonly record struct CallResult<T>(T? Value, StatusCode Status)
    where T : class
{
    public bool Ok => Value is not null;
}

/// <summary>
/// The generated gRPC client over one channel, with the lab's retry rule: failures where the server never answered
/// (connection refused while it restarts, a connection reset) and answered UNAVAILABLE / RESOURCE_EXHAUSTED are
/// retried within a budget and counted on their own; any other status ends the call. Each attempt has a deadline.
/// </summary>
internal sealed class LabClient : IDisposable
{
    public static readonly TimeSpan AttemptDeadline = TimeSpan.FromSeconds(5);

    private readonly GrpcChannel _channel;
    private readonly LabCounters _counters;

    public LabClient(Uri address, LabCounters counters)
    {
        _counters = counters;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(2),
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            },
            // The lab's own retry rule decides; the channel must not hide attempts.
            MaxRetryAttempts = 0,
        });
        Filter = new CommentFilter.CommentFilterClient(_channel);
        Admin = new ModelAdmin.ModelAdminClient(_channel);
    }

    public CommentFilter.CommentFilterClient Filter { get; }

    public ModelAdmin.ModelAdminClient Admin { get; }

    public static Metadata Bearer(string key) => new() { { "authorization", "Bearer " + key } };

    /// <summary>Runs <paramref name="call"/> until it is answered with something other than a retryable failure, or
    /// <paramref name="budget"/> is spent. Counts go under "<paramref name="kind"/>_…".</summary>
    public async Task<CallResult<T>> CallAsync<T>(string kind, Func<CallOptions, AsyncUnaryCall<T>> call, Metadata headers, TimeSpan budget, CancellationToken cancellationToken)
        where T : class
    {
        var giveUp = DateTime.UtcNow + budget;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            StatusCode status;
            try
            {
                var value = await call(new CallOptions(headers, DateTime.UtcNow + AttemptDeadline, cancellationToken));
                if (kind == "check")
                {
                    _counters.Latency(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                return new CallResult<T>(value, StatusCode.OK);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException ex)
            {
                status = ex.StatusCode;
                var retryAfter = Classify(kind, ex);
                if (retryAfter is { } delay && DateTime.UtcNow + delay < giveUp)
                {
                    await Task.Delay(delay, cancellationToken);
                    continue;
                }

                if (retryAfter is not null)
                {
                    _counters.Add(kind + "_retry_budget_spent");
                }
            }

            return new CallResult<T>(null, status);
        }
    }

    public void Dispose() => _channel.Dispose();

    /// <summary>Counts the failure; returns how long to wait before a retry, or null when the status is final.</summary>
    private TimeSpan? Classify(string kind, RpcException ex)
    {
        if (ex.Status.DebugException is { } transport)
        {
            // The client made this status up: the server never answered.
            _counters.Add(kind + (IsConnectionRefused(transport) ? "_conn_refused" : "_transport_error"));
            return TimeSpan.FromMilliseconds(200);
        }

        switch (ex.StatusCode)
        {
            case StatusCode.Unavailable:
                _counters.Add(kind + "_answered_unavailable");
                return TimeSpan.FromMilliseconds(200);
            case StatusCode.ResourceExhausted:
                _counters.Add(kind + "_rate_limited");
                return TimeSpan.FromSeconds(1);
            case StatusCode.Internal or StatusCode.Unknown:
                _counters.Add("grpc_internal");
                _counters.Add(kind + "_" + ex.StatusCode.ToString().ToLowerInvariant());
                return null;
            default:
                _counters.Add(kind + "_" + ex.StatusCode.ToString().ToLowerInvariant());
                return null;
        }
    }

    private static bool IsConnectionRefused(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }
}
