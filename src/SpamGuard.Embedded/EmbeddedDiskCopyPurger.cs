using SpamGuard.Core.Privacy;

namespace SpamGuard.Embedded;

/// <summary>
/// After an erasure in the embedded default: the check records were deleted on disk by their store already (secure
/// delete, WAL truncated); the reputation entry was only dropped from memory, so the snapshot is written now rather
/// than at the next tick, which deletes its row the same way.
/// </summary>
internal sealed class EmbeddedDiskCopyPurger(ReputationSnapshotWriter reputation) : IDiskCopyPurger
{
    public Task<DiskCopyPurge> PurgeAsync(CancellationToken cancellationToken)
    {
        reputation.Flush();
        return Task.FromResult(new DiskCopyPurge(true,
            "Deleted from the embedded SQLite files with their freed space overwritten and the write-ahead log truncated; copies in backups of the data directory remain until those backups are rotated."));
    }
}
