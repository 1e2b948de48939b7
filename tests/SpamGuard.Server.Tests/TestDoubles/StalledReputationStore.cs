using SpamGuard.Core.Reputation;

namespace SpamGuard.Server.Tests.TestDoubles;

/// <summary>TEST DOUBLE: a reputation store whose lookups, once <see cref="Stall"/> is set, never answer until the
/// caller cancels, to hold a check past its caller's deadline. Everything else goes to a real in-process store.</summary>
internal sealed class StalledReputationStore : IReputationStore
{
    private readonly InProcessReputationStore _inner = new();
    private int _stalled;

    public bool Stall { get; set; }

    /// <summary>Lookups that have started waiting.</summary>
    public int Stalled => Volatile.Read(ref _stalled);

    public async Task<IReadOnlyList<SubjectReputation>> RecordCheckAsync(
        IReadOnlyList<ReputationSubject> subjects, string site, bool modelSaysSpam, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!Stall)
        {
            return await _inner.RecordCheckAsync(subjects, site, modelSaysSpam, at, cancellationToken);
        }

        Interlocked.Increment(ref _stalled);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable: the delay ends only by cancellation");
    }

    public Task<IReadOnlyList<SubjectReputation>> ReadAsync(IReadOnlyList<ReputationSubject> subjects, string site, DateTimeOffset at, CancellationToken cancellationToken) =>
        Stall ? RecordCheckAsync(subjects, site, false, at, cancellationToken) : _inner.ReadAsync(subjects, site, at, cancellationToken);

    public Task<long> EraseAsync(IReadOnlyList<ReputationSubject> subjects, CancellationToken cancellationToken) =>
        _inner.EraseAsync(subjects, cancellationToken);

    public Task RecordReportAsync(
        IReadOnlyList<ReputationSubject> subjects, string site, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, string entryId, CancellationToken cancellationToken) =>
        _inner.RecordReportAsync(subjects, site, label, at, replaces, entryId, cancellationToken);
}
