namespace SpamGuard.Core.Reputation;

/// <summary>What a reputation is kept for. Every key is a pseudonym (see <see cref="Privacy.Pseudonymizer"/>).</summary>
public enum SubjectKind
{
    Ip,
    Network,
    Email,
    AuthorHost,
    LinkHost,

    /// <summary>One LSH band of the content's fingerprint: near-duplicate texts share bands (see <see cref="ContentFingerprint"/>).</summary>
    Content,
}

/// <summary>One thing reputation is kept for: a pseudonymised IP, network, e-mail address or host.</summary>
public readonly record struct ReputationSubject(SubjectKind Kind, string Pseudonym);

/// <summary>The stored buckets of one subject (see <see cref="ReputationWindows"/>), as read before a check was recorded.</summary>
public sealed record SubjectReputation(ReputationSubject Subject, IReadOnlyDictionary<string, long> Buckets)
{
    public long Count(ReputationCounter counter, ReputationWindow window, DateTimeOffset now) =>
        ReputationWindows.Count(Buckets, counter, window, now);
}

public enum ReportLabel
{
    Spam,
    Ham,
}

public static class ReportLabels
{
    /// <summary>The counter a report of <paramref name="label"/> increments.</summary>
    public static ReputationCounter Counter(this ReportLabel label) =>
        label == ReportLabel.Spam ? ReputationCounter.SpamReports : ReputationCounter.HamReports;
}

/// <summary>An earlier report that a new one replaces (a blog changed its mind): it is taken back where it was counted.</summary>
public sealed record ReportCorrection(ReportLabel Label, DateTimeOffset At);

/// <summary>
/// Reputation counts per subject in sliding windows, shared by every node that uses the same store. A store that
/// cannot answer throws <see cref="StoreUnavailableException"/>. Implementations:
/// an in-process store (the default without Redis) and a Redis store; both count through
/// <see cref="ReputationWindows"/> and pass the same contract tests.
/// </summary>
public interface IReputationStore
{
    /// <summary>
    /// Reads every subject's counts as they were and records one check of them, in one round trip.
    /// <paramref name="modelSaysSpam"/> is the model's own verdict, before reputation: counting final verdicts
    /// would let reputation feed on itself.
    /// </summary>
    Task<IReadOnlyList<SubjectReputation>> RecordCheckAsync(
        IReadOnlyList<ReputationSubject> subjects, bool modelSaysSpam, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Reads every subject's counts without recording anything (test calls), in one round trip.</summary>
    Task<IReadOnlyList<SubjectReputation>> ReadAsync(IReadOnlyList<ReputationSubject> subjects, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Deletes the entries of <paramref name="subjects"/>; returns how many existed.</summary>
    Task<long> EraseAsync(IReadOnlyList<ReputationSubject> subjects, CancellationToken cancellationToken);

    /// <summary>
    /// Counts a spam or ham report for every subject, taking back <paramref name="replaces"/> if given. Idempotent per
    /// <paramref name="entryId"/> (the accepted report's unique id): a report applied again, because the reply to the
    /// first attempt was lost after the store had applied it, changes nothing for a subject that already counted it.
    /// A store remembers applied ids for <see cref="ReputationWindows.Retention"/>, longer than any report is counted.
    /// </summary>
    Task RecordReportAsync(
        IReadOnlyList<ReputationSubject> subjects, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, string entryId, CancellationToken cancellationToken);
}

/// <summary>
/// A shared store (reputation, check records, labelled examples) could not answer in time: down, slow, or refused by
/// its circuit breaker. Callers degrade (score without reputation, journal a report) instead of failing the request.
/// </summary>
public class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
