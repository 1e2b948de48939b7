using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Keys;

/// <summary>What a keyed call counts toward (Akismet's key-sites columns).</summary>
public enum UsageKind
{
    /// <summary>A comment check.</summary>
    Call,

    /// <summary>A check answered spam or discard.</summary>
    Spam,

    /// <summary>A check answered ham.</summary>
    Ham,

    /// <summary>A submit-spam report: spam the filter let through.</summary>
    MissedSpam,

    /// <summary>A submit-ham report: ham the filter caught.</summary>
    FalsePositive,
}

/// <summary>One counter: a key's calls for one site in one month (UTC, "yyyy-MM").</summary>
public readonly record struct UsageCell(string KeyId, string Month, string Site, UsageKind Kind);

/// <summary>A key's counts for one site in one month.</summary>
public sealed record SiteUsage(string Site, long Calls, long Spam, long Ham, long MissedSpam, long FalsePositives);

/// <summary>Usage counters shared by every node; an in-process and a Redis implementation pass the same tests.</summary>
public interface ISiteUsageStore
{
    Task AddAsync(IReadOnlyDictionary<UsageCell, long> increments, CancellationToken cancellationToken);

    /// <summary>The key's counts per site for <paramref name="month"/> ("yyyy-MM"), sites in ordinal order.</summary>
    Task<IReadOnlyList<SiteUsage>> ReadAsync(string keyId, string month, CancellationToken cancellationToken);
}

/// <summary>Usage in this process only (the embedded default): lost on restart.</summary>
public sealed class InProcessSiteUsageStore : ISiteUsageStore
{
    private readonly Dictionary<UsageCell, long> _counts = [];
    private readonly Lock _lock = new();

    public Task AddAsync(IReadOnlyDictionary<UsageCell, long> increments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(increments);
        lock (_lock)
        {
            foreach (var (cell, count) in increments)
            {
                _counts[cell] = _counts.GetValueOrDefault(cell) + count;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SiteUsage>> ReadAsync(string keyId, string month, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(SiteUsageCounter.Tabulate(_counts.Where(c => c.Key.KeyId == keyId && c.Key.Month == month)));
        }
    }
}

/// <summary>
/// Counts keyed calls per key, site and month. Counting is in memory and cheap, so a check never waits on a store
/// for it; <see cref="SiteUsageFlushService"/> adds the counts to the shared store every few seconds and at shutdown.
/// A node that dies loses at most that interval of counts, which is acceptable for usage figures (never for reports,
/// which are journalled). Counts that fail to reach the store stay here for the next flush.
/// </summary>
public sealed partial class SiteUsageCounter(ISiteUsageStore store, TimeProvider time, ILogger<SiteUsageCounter> logger) : IDisposable
{
    /// <summary>How long a shared store keeps a month's counts: long enough to compare with the same month a year ago.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(400);

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private Dictionary<UsageCell, long> _pending = [];

    public static string MonthOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public void Count(string keyId, string site, UsageKind kind)
    {
        var cell = new UsageCell(keyId, MonthOf(time.GetUtcNow()), site, kind);
        lock (_lock)
        {
            _pending[cell] = _pending.GetValueOrDefault(cell) + 1;
        }
    }

    /// <summary>The key's counts for the month, including this node's counts not yet flushed.</summary>
    public async Task<IReadOnlyList<SiteUsage>> ReadAsync(string keyId, string month, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        return await store.ReadAsync(keyId, month, cancellationToken);
    }

    /// <summary>Adds what was counted since the last flush to the store.</summary>
    /// <exception cref="StoreUnavailableException">The store did not take them; they are kept for the next flush.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            Dictionary<UsageCell, long> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    return;
                }

                batch = _pending;
                _pending = [];
            }

            try
            {
                await store.AddAsync(batch, cancellationToken);
            }
            catch (Exception ex) when (ex is StoreUnavailableException or OperationCanceledException)
            {
                lock (_lock)
                {
                    foreach (var (cell, count) in batch)
                    {
                        _pending[cell] = _pending.GetValueOrDefault(cell) + count;
                    }
                }

                LogNotFlushed(logger, batch.Count, ex.Message);
                throw;
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    public void Dispose() => _flushing.Dispose();

    /// <summary>Sums counters into one row per site, sites in ordinal order (for stores).</summary>
    public static IReadOnlyList<SiteUsage> Tabulate(IEnumerable<KeyValuePair<UsageCell, long>> cells) =>
    [
        .. cells.GroupBy(c => c.Key.Site, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SiteUsage(
                g.Key,
                Sum(g, UsageKind.Call),
                Sum(g, UsageKind.Spam),
                Sum(g, UsageKind.Ham),
                Sum(g, UsageKind.MissedSpam),
                Sum(g, UsageKind.FalsePositive))),
    ];

    private static long Sum(IEnumerable<KeyValuePair<UsageCell, long>> cells, UsageKind kind) =>
        cells.Where(c => c.Key.Kind == kind).Sum(c => c.Value);

    [LoggerMessage(5401, LogLevel.Debug, "Usage counts of {Cells} counters were not stored yet and are kept for the next flush: {Reason}")]
    private static partial void LogNotFlushed(ILogger logger, int cells, string reason);
}

/// <summary>Flushes <see cref="SiteUsageCounter"/> every few seconds and once more at shutdown.</summary>
public sealed class SiteUsageFlushService(SiteUsageCounter counter, TimeProvider time) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TryFlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: StopAsync flushes what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TryFlushAsync(cancellationToken);
    }

    private async Task TryFlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await counter.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is StoreUnavailableException or OperationCanceledException)
        {
            // Kept by the counter for the next flush; logged there.
        }
    }
}
