using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>Configuration section "Redis". Without <see cref="Configuration"/> SpamGuard runs on in-process stores.</summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>A StackExchange.Redis configuration string: one server ("redis:6379"), or a cluster's seed nodes
    /// ("10.0.0.1:7000,10.0.0.2:7000"), plus options such as "password=…,ssl=true".</summary>
    public string? Configuration { get; set; }

    /// <summary>How long to wait for a connection before giving up (the service starts anyway and keeps retrying).</summary>
    public int ConnectTimeoutMilliseconds { get; set; } = 2000;

    /// <summary>How long one command may take before the client reports a timeout.</summary>
    public int CommandTimeoutMilliseconds { get; set; } = 250;

    /// <summary>Timeout and circuit breaker around every call ("Redis:Resilience").</summary>
    public RedisResilienceOptions Resilience { get; set; } = new();

    /// <summary>The client options: never abort when Redis is down at start (scoring goes on without reputation).</summary>
    public ConfigurationOptions ToClientOptions()
    {
        var options = ConfigurationOptions.Parse(Configuration ?? throw new InvalidOperationException("Redis:Configuration is not set."));
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = ConnectTimeoutMilliseconds;
        options.SyncTimeout = CommandTimeoutMilliseconds;
        options.AsyncTimeout = CommandTimeoutMilliseconds;
        options.ClientName = "spamguard";
        // Every second, not the default exponential back-off: while Redis is away checks go without reputation and
        // reports into the journal, so coming back quickly matters more than sparing a restarting Redis a few SYNs.
        options.ReconnectRetryPolicy = new LinearRetry(1000);
        return options;
    }
}

internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var failures = new List<string>();
        if (options.Configuration is { } configuration)
        {
            try
            {
                if (ConfigurationOptions.Parse(configuration).EndPoints.Count == 0)
                {
                    failures.Add("Redis:Configuration names no server.");
                }
            }
            catch (ArgumentException ex)
            {
                failures.Add($"Redis:Configuration is not a valid StackExchange.Redis configuration string: {ex.Message}");
            }
        }

        if (options.ConnectTimeoutMilliseconds is < 100 or > 60_000)
        {
            failures.Add("Redis:ConnectTimeoutMilliseconds must be between 100 and 60000.");
        }

        if (options.CommandTimeoutMilliseconds is < 10 or > 10_000)
        {
            failures.Add("Redis:CommandTimeoutMilliseconds must be between 10 and 10000.");
        }

        var r = options.Resilience;
        if (r.TimeoutMilliseconds is < 1 or > 10_000)
        {
            failures.Add("Redis:Resilience:TimeoutMilliseconds must be between 1 and 10000.");
        }

        if (r.FailureRatio is not (> 0 and <= 1))
        {
            failures.Add("Redis:Resilience:FailureRatio must be above 0 and at most 1.");
        }

        if (r.MinimumThroughput < 2 || r.SamplingSeconds < 1 || r.BreakSeconds < 1)
        {
            failures.Add("Redis:Resilience: MinimumThroughput must be at least 2, SamplingSeconds and BreakSeconds at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
