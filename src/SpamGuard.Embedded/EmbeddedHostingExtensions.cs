using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Embedded;

public static class EmbeddedHostingExtensions
{
    /// <summary>File of the site keys, usage counts and reputation, under Feedback:DataDirectory.</summary>
    public const string StateFileName = "state.db";

    /// <summary>File of the check records, under Feedback:DataDirectory.</summary>
    public const string ChecksFileName = "checks.db";

    /// <summary>
    /// Registers the embedded default's on-disk stores (SQLite files under Feedback:DataDirectory) in place of the
    /// in-process ones, so that state survives a restart without Redis. Call before AddSpamGuardCore, whose defaults
    /// are TryAdd, and only when Redis is not configured.
    /// </summary>
    public static IServiceCollection AddSpamGuardEmbedded(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new EmbeddedDatabases(sp.GetRequiredService<IOptions<FeedbackOptions>>().Value.DataDirectory));
        services.TryAddSingleton<ISiteKeyStore>(sp => new SqliteSiteKeyStore(sp.GetRequiredService<EmbeddedDatabases>().State));
        services.TryAddSingleton<ISiteUsageStore>(sp => new SqliteSiteUsageStore(sp.GetRequiredService<EmbeddedDatabases>().State, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new SqliteCheckRecordStore(
            sp.GetRequiredService<EmbeddedDatabases>().Checks,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<FeedbackOptions>>().Value.MaxCheckRecords,
            sp.GetRequiredService<SpamGuardMetrics>(),
            sp.GetRequiredService<ILogger<SqliteCheckRecordStore>>()));
        services.TryAddSingleton<ICheckRecordStore>(sp => sp.GetRequiredService<SqliteCheckRecordStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CheckRecordWriterService>());
        services.TryAddSingleton(sp => new SqliteReputationSnapshots(sp.GetRequiredService<EmbeddedDatabases>().State));
        services.TryAddSingleton(sp => new InProcessReputationStore(
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<ReputationOptions>>(), sp.GetRequiredService<SpamGuardMetrics>(), trackChanges: true));
        services.TryAddSingleton<IReputationStore>(sp => sp.GetRequiredService<InProcessReputationStore>());
        services.TryAddSingleton<ReputationSnapshotWriter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ReputationSnapshotWriter>(sp => sp.GetRequiredService<ReputationSnapshotWriter>()));
        services.TryAddSingleton<IDiskCopyPurger, EmbeddedDiskCopyPurger>();
        return services;
    }

}

/// <summary>The embedded default's SQLite files, opened once per process.</summary>
internal sealed class EmbeddedDatabases(string dataDirectory)
{
    private readonly Lazy<SqliteDatabase> _state = new(() => new SqliteDatabase(Path.Combine(dataDirectory, EmbeddedHostingExtensions.StateFileName)));
    private readonly Lazy<SqliteDatabase> _checks = new(() => new SqliteDatabase(Path.Combine(dataDirectory, EmbeddedHostingExtensions.ChecksFileName)));

    public SqliteDatabase State => _state.Value;

    public SqliteDatabase Checks => _checks.Value;
}

/// <summary>
/// Opens the check record store at start (so a bad file fails the start, not the first check) and, at a graceful stop,
/// writes every record still queued before the process ends.
/// </summary>
internal sealed class CheckRecordWriterService(SqliteCheckRecordStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => store.StopAsync();
}
