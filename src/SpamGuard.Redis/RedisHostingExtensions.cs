using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Reputation;
using StackExchange.Redis;

namespace SpamGuard.Redis;

public static class RedisHostingExtensions
{
    /// <summary>
    /// Binds and validates "Redis"; when <paramref name="enabled"/> (Redis:Configuration is set) registers one shared
    /// multiplexer, one <see cref="RedisCallGuard"/>, and the Redis reputation, check-record and labelled-example
    /// stores in place of the in-process ones. Call before AddSpamGuardCore, whose defaults are TryAdd.
    /// </summary>
    public static IServiceCollection AddSpamGuardRedis(this IServiceCollection services, bool enabled)
    {
        services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        if (!enabled)
        {
            return services;
        }

        // AbortOnConnectFail is off: the service starts and scores while Redis is down, and the client reconnects.
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
            ConnectionMultiplexer.Connect(sp.GetRequiredService<IOptions<RedisOptions>>().Value.ToClientOptions()));
        services.TryAddSingleton(sp => new RedisCallGuard(sp.GetRequiredService<IOptions<RedisOptions>>().Value.Resilience, sp.GetRequiredService<IConnectionMultiplexer>(),
            time: null, sp.GetRequiredService<SpamGuardMetrics>()));
        services.TryAddSingleton<SpamGuard.Core.Privacy.IDiskCopyPurger, RedisAppendOnlyRewrite>();
        services.TryAddSingleton<IReputationStore, RedisReputationStore>();
        services.TryAddSingleton<ICheckRecordStore, RedisCheckRecordStore>();
        services.TryAddSingleton<ISiteKeyStore, RedisSiteKeyStore>();
        services.TryAddSingleton<ISiteUsageStore, RedisSiteUsageStore>();
        services.TryAddSingleton<SpamGuard.Core.Models.IModelStore, RedisModelStore>();
        services.TryAddSingleton<ILabelledExampleStore>(sp => new RedisLabelledExampleStore(
            sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<RedisCallGuard>(),
            sp.GetRequiredService<IOptions<FeedbackOptions>>().Value.ExampleRetention));
        return services;
    }
}
