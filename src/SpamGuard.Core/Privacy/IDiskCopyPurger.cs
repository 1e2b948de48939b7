namespace SpamGuard.Core.Privacy;

/// <summary>
/// After an erasure, deals with copies of the erased data that a store still holds on disk: a deleted record stays
/// readable in an append-only log until the log is rewritten. Called once per erasure, after every store deleted.
/// </summary>
public interface IDiskCopyPurger
{
    /// <summary>Starts what purges the copies (it may finish after this returns) and says what was done and what is
    /// left to the operator. Never throws for a store that cannot do it: the erasure itself has succeeded.</summary>
    Task<DiskCopyPurge> PurgeAsync(CancellationToken cancellationToken);
}

/// <summary>What was done about on-disk copies after an erasure.</summary>
/// <param name="Rewriting">True when a rewrite that drops the erased data was started on every server that keeps an
/// append-only log.</param>
/// <param name="Note">One sentence for the operator: what was started, and what they must still do (snapshots, backups).</param>
public sealed record DiskCopyPurge(bool Rewriting, string Note)
{
    public static DiskCopyPurge None { get; } = new(false, "This store keeps no append-only log to rewrite.");
}

/// <summary>The in-process default: nothing kept in an append-only log.</summary>
internal sealed class NoDiskCopyPurger : IDiskCopyPurger
{
    public Task<DiskCopyPurge> PurgeAsync(CancellationToken cancellationToken) => Task.FromResult(DiskCopyPurge.None);
}
