using Polly;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Reputation;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>Limits for calls to Redis (configuration section "Redis:Resilience").</summary>
public sealed class RedisResilienceOptions
{
    /// <summary>Longest a call may take before the caller goes on without it.</summary>
    public int TimeoutMilliseconds { get; set; } = 50;

    /// <summary>Share of failed calls, within <see cref="SamplingSeconds"/>, that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the sampling window before the ratio counts, so two unlucky calls do not open it.</summary>
    public int MinimumThroughput { get; set; } = 10;

    public int SamplingSeconds { get; set; } = 10;

    /// <summary>How long an open circuit refuses calls before one trial call is let through.</summary>
    public int BreakSeconds { get; set; } = 5;
}

/// <summary>
/// Every Redis call goes through here: a circuit breaker around a timeout, no retries (a retry against a struggling
/// Redis is load it cannot take, and the caller has a fallback anyway). The timeout really fires:
/// StackExchange.Redis's async methods take no cancellation token, so the call's task is abandoned with
/// <see cref="Task.WaitAsync(CancellationToken)"/> when Polly cancels. A refused or timed-out call throws
/// <see cref="RedisUnavailableException"/>; callers degrade instead of failing.
/// Given the connection, the guard also spares callers the wait the breaker needs before it opens (its failure
/// ratio counts the successes of the last seconds, so under load it takes seconds): a call made while the client
/// knows it is disconnected fails at once instead of queueing until the timeout, and after a call times out the
/// following calls fail at once until Redis answers a PING again (one background probe, every timeout period). So a
/// check, which may make several calls in a row, waits one timeout at most when Redis goes away.
/// </summary>
public sealed class RedisCallGuard : IDisposable
{
    private readonly ResiliencePipeline _pipeline;
    private readonly IConnectionMultiplexer? _connection;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SpamGuardMetrics? _metrics;

    // 1 from a timed-out call until the probe's PING is answered.
    private int _unanswered;

    public RedisCallGuard(RedisResilienceOptions options, TimeProvider? time = null)
        : this(options, null, time)
    {
    }

    /// <param name="options">The timeout and breaker settings.</param>
    /// <param name="connection">The client whose connection state lets calls fail fast; null to always try.</param>
    /// <param name="time">The clock of the breaker, the timeout and the probe.</param>
    /// <param name="metrics">Where each failed or unsent call is counted (spamguard.store.errors); null counts nothing.</param>
    public RedisCallGuard(RedisResilienceOptions options, IConnectionMultiplexer? connection, TimeProvider? time = null, SpamGuardMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _metrics = metrics;
        _time = time ?? TimeProvider.System;
        _timeout = TimeSpan.FromMilliseconds(options.TimeoutMilliseconds);
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
        _pipeline = builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(options.SamplingSeconds),
                BreakDuration = TimeSpan.FromSeconds(options.BreakSeconds),
                // RedisTimeoutException is a TimeoutException, not a RedisException: the client's own timeouts (a
                // command stuck in the backlog while it reconnects) count as failures too.
                ShouldHandle = new PredicateBuilder().Handle<RedisException>().Handle<TimeoutException>().Handle<TimeoutRejectedException>(),
            })
            .AddTimeout(_timeout)
            .Build();
    }

    /// <summary>Whether calls are being refused without reaching Redis: the client is disconnected, or a call timed
    /// out and Redis has not answered the probe since.</summary>
    public bool FailingFast => _connection is not null && (!_connection.IsConnected || Volatile.Read(ref _unanswered) == 1);

    /// <exception cref="RedisUnavailableException">Redis failed, was too slow, is known to be away, or the circuit is open.</exception>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (_connection is not null)
        {
            if (!_connection.IsConnected)
            {
                _metrics?.StoreError("not_connected");
                throw new RedisUnavailableException("Redis is unavailable: the client is not connected (the call was not sent).");
            }

            if (Volatile.Read(ref _unanswered) == 1)
            {
                _metrics?.StoreError("unanswered");
                throw new RedisUnavailableException("Redis is unavailable: a call timed out and Redis has not answered since (the call was not sent).");
            }
        }

        try
        {
            return await _pipeline.ExecuteAsync(static async (call, token) => await Abandonable(call(), token), call, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or TimeoutRejectedException)
        {
            _metrics?.StoreError("timeout");
            StartProbe();
            throw new RedisUnavailableException(ex);
        }
        catch (Exception ex) when (ex is RedisException or BrokenCircuitException)
        {
            _metrics?.StoreError(ex is BrokenCircuitException ? "circuit_open" : "error");
            throw new RedisUnavailableException(ex);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void StartProbe()
    {
        if (_connection is null || _stopping.IsCancellationRequested || Interlocked.Exchange(ref _unanswered, 1) == 1)
        {
            return;
        }

        _ = Task.Run(() => ProbeAsync(_connection, _stopping.Token), CancellationToken.None);
    }

    /// <summary>Pings every timeout period until Redis answers (then calls go through again) or the guard is disposed.</summary>
    private async Task ProbeAsync(IConnectionMultiplexer connection, CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                try
                {
                    await connection.GetDatabase().PingAsync().WaitAsync(_timeout, _time, stopping);
                    return;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    await Task.Delay(_timeout, _time, stopping);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Disposed (the guard or the client): nothing is left to let through.
        }
        finally
        {
            Volatile.Write(ref _unanswered, 0);
        }
    }

    /// <summary>
    /// For administrative calls (erasure, site keys): not held to the per-check timeout nor counted by the breaker,
    /// since they are rare and may scan, but a Redis failure surfaces the same way as for guarded calls.
    /// </summary>
    /// <exception cref="RedisUnavailableException">Redis failed or the client timed out.</exception>
    public static async Task<T> RunAdministrativeAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new RedisUnavailableException(ex);
        }
    }

    private static async ValueTask<T> Abandonable<T>(Task<T> call, CancellationToken token)
    {
        try
        {
            return await call.WaitAsync(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The abandoned call may still fail later; observe it so it is not reported as unobserved.
            _ = call.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
    }
}

/// <summary>Redis could not serve a call in time (down, slow, or the circuit is open).</summary>
public sealed class RedisUnavailableException : StoreUnavailableException
{
    public RedisUnavailableException()
    {
    }

    public RedisUnavailableException(string message)
        : base(message)
    {
    }

    public RedisUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RedisUnavailableException(Exception innerException)
        : base($"Redis is unavailable: {innerException?.Message}", innerException ?? new InvalidOperationException("no cause given"))
    {
    }

    /// <summary>The circuit was open: the call was refused without reaching Redis.</summary>
    public bool CircuitOpen => InnerException is BrokenCircuitException;
}
