using Microsoft.Extensions.Logging;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// The check-record store as the services use it: the shared store, with <see cref="CheckOutbox"/> behind it. A record
/// the store cannot take is kept in the outbox (and still counts as saved: it can be reported and its receipt read);
/// a report of a check still in the outbox writes the record to the store first, so reports never miss it; erasure
/// reaches the outbox too. <see cref="CheckOutboxFlushService"/> moves the rest when the store is back.
/// </summary>
public sealed partial class OutboxedCheckRecordStore(
    ICheckRecordStore store, CheckOutbox outbox, TimeProvider time, SpamGuardMetrics metrics, ILogger<OutboxedCheckRecordStore> logger)
    : ICheckRecordStore
{
    public ICheckRecordStore Store => store;

    /// <exception cref="StoreUnavailableException">The store did not take it and the outbox is full.</exception>
    public async Task SaveAsync(CheckRecord record, TimeSpan keep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            await store.SaveAsync(record, keep, cancellationToken);
            outbox.Forget(record.CheckId);
        }
        catch (StoreUnavailableException ex)
        {
            if (!await outbox.TryKeepAsync(record, time.GetUtcNow() + keep, CancellationToken.None))
            {
                metrics.OutboxLost("full");
                LogOutboxFull(logger, outbox.Capacity, ex.Message);
                throw;
            }

            metrics.Outboxed();
        }
    }

    public void AttachReceipt(string checkId, CheckReceipt receipt)
    {
        if (outbox.Find(checkId) is null)
        {
            store.AttachReceipt(checkId, receipt);
            return;
        }

        // Best effort, like the store's own fire-and-forget write: a failed append leaves the record without receipt.
        _ = outbox.AttachReceiptAsync(checkId, receipt, CancellationToken.None)
            .ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public async Task<CheckRecord?> GetAsync(string checkId, CancellationToken cancellationToken) =>
        Waiting(checkId)?.Record ?? await store.GetAsync(checkId, cancellationToken);

    /// <exception cref="StoreUnavailableException">The store is unavailable (the report is journaled by the caller; the
    /// record stays in the outbox for it).</exception>
    public async Task<ReportOutcome> ReportAsync(string checkId, string site, ReportLabel label, DateTimeOffset at, string entryId, CancellationToken cancellationToken)
    {
        if (Waiting(checkId) is { } waiting)
        {
            // Saving again keeps a report the store may already hold, so this is safe to repeat.
            await store.SaveAsync(waiting.Record, waiting.KeepUntil - time.GetUtcNow(), cancellationToken);
            outbox.Forget(waiting);
            metrics.OutboxFlushed(1);
        }

        return await store.ReportAsync(checkId, site, label, at, entryId, cancellationToken);
    }

    public async Task<long> EraseAsync(IReadOnlySet<string> pseudonyms, CancellationToken cancellationToken)
    {
        var local = await outbox.EraseAsync(pseudonyms, cancellationToken);
        return local + await store.EraseAsync(pseudonyms, cancellationToken);
    }

    /// <summary>Moves every waiting record to the store, dropping expired ones; returns how many were moved.</summary>
    /// <exception cref="StoreUnavailableException">The store is still unavailable; the rest waits.</exception>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var moved = 0;
        try
        {
            foreach (var entry in outbox.Entries)
            {
                var left = entry.KeepUntil - time.GetUtcNow();
                if (left <= TimeSpan.FromSeconds(1))
                {
                    outbox.Forget(entry);
                    metrics.OutboxLost("expired");
                    continue;
                }

                await store.SaveAsync(entry.Record, left, cancellationToken);
                outbox.Forget(entry);
                moved++;
            }
        }
        finally
        {
            if (moved > 0)
            {
                metrics.OutboxFlushed(moved);
                LogFlushed(logger, moved, outbox.Count);
            }

            if (outbox.IsStale)
            {
                await outbox.CompactAsync(CancellationToken.None);
            }
        }

        return moved;
    }

    private OutboxEntry? Waiting(string checkId)
    {
        var entry = outbox.Find(checkId);
        if (entry is not null && entry.KeepUntil <= time.GetUtcNow())
        {
            // Expired while waiting: gone, as it would be from the store.
            outbox.Forget(entry);
            metrics.OutboxLost("expired");
            return null;
        }

        return entry;
    }

    [LoggerMessage(5301, LogLevel.Warning, "The check-record outbox is full ({Capacity} records); this check cannot be reported by id: {Reason}")]
    private static partial void LogOutboxFull(ILogger logger, int capacity, string reason);

    [LoggerMessage(5302, LogLevel.Information, "Moved {Count} check records from the outbox to the store; {Left} wait.")]
    private static partial void LogFlushed(ILogger logger, int count, int left);
}
