using Polly;
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
/// </summary>
public sealed class RedisCallGuard
{
    private readonly ResiliencePipeline _pipeline;

    public RedisCallGuard(RedisResilienceOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System };
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
            .AddTimeout(TimeSpan.FromMilliseconds(options.TimeoutMilliseconds))
            .Build();
    }

    /// <exception cref="RedisUnavailableException">Redis failed, was too slow, or the circuit is open.</exception>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await _pipeline.ExecuteAsync(static async (call, token) => await Abandonable(call(), token), call, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or TimeoutRejectedException or BrokenCircuitException)
        {
            throw new RedisUnavailableException(ex);
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
