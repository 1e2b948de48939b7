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

/// <summary>
/// One subject as a site reads it (see <see cref="ReputationWindows"/>), before a check was recorded:
/// <see cref="Counts"/> holds every site's checks and model verdicts, but only the reading site's own reports, summed
/// per window at the time of the read; other sites' reports come as <see cref="OtherSites"/>, one entry per site and
/// label, for <see cref="ReportAgreement"/> to count or withhold.
/// </summary>
public sealed record SubjectReputation(ReputationSubject Subject, WindowCounts Counts)
{
    /// <summary>Other sites that reported this subject, each once per label at its latest report, at most
    /// <see cref="ReportingSites.MaxPerLabel"/> per label (the most recent).</summary>
    public IReadOnlyList<SiteReport> OtherSites { get; init; } = [];

    /// <summary>Checks and spam verdicts of every site; spam and ham reports of the reading site only.</summary>
    public long Count(ReputationCounter counter, ReputationWindow window) => Counts[counter, window];
}

/// <summary>That a site (by <see cref="ReportingSites.Id"/>) reported a subject as <paramref name="Label"/>, last at
/// <paramref name="At"/>.</summary>
public readonly record struct SiteReport(string Reporter, ReportLabel Label, DateTimeOffset At);

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
/// Reputation counts per subject in sliding windows, shared by every node that uses the same store. Reports are kept
/// per reporting site: a site reads its own reports as counts, and other sites' only as who reported what (so that
/// one site's flood of reports is one site, and <see cref="ReportAgreement"/> decides whether they count). A store that
/// cannot answer throws <see cref="StoreUnavailableException"/>. Implementations:
/// an in-process store (the default without Redis) and a Redis store; both count through
/// <see cref="ReputationWindows"/> and pass the same contract tests.
/// </summary>
public interface IReputationStore
{
    /// <summary>
    /// Reads every subject's counts as they were and records one check of them, in one round trip.
    /// <paramref name="modelSaysSpam"/> is the model's own verdict, before reputation: counting final verdicts
    /// would let reputation feed on itself. <paramref name="site"/> is the checking site: its own reports are read as
    /// counts, other sites' as <see cref="SubjectReputation.OtherSites"/>.
    /// </summary>
    Task<IReadOnlyList<SubjectReputation>> RecordCheckAsync(
        IReadOnlyList<ReputationSubject> subjects, string site, bool modelSaysSpam, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Reads every subject's counts, as <paramref name="site"/> sees them, without recording anything (test
    /// calls), in one round trip.</summary>
    Task<IReadOnlyList<SubjectReputation>> ReadAsync(IReadOnlyList<ReputationSubject> subjects, string site, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Deletes the entries of <paramref name="subjects"/>; returns how many existed.</summary>
    Task<long> EraseAsync(IReadOnlyList<ReputationSubject> subjects, CancellationToken cancellationToken);

    /// <summary>
    /// Counts a spam or ham report by <paramref name="site"/> for every subject, taking back <paramref name="replaces"/>
    /// (the same site's earlier report) if given; the site stops being one of the subject's reporters of the replaced
    /// label once none of its reports of that label is left in the last 30 days. Idempotent per
    /// <paramref name="entryId"/> (the accepted report's unique id): a report applied again, because the reply to the
    /// first attempt was lost after the store had applied it, changes nothing for a subject that already counted it.
    /// A store remembers applied ids for <see cref="ReputationWindows.Retention"/>, longer than any report is counted.
    /// </summary>
    Task RecordReportAsync(
        IReadOnlyList<ReputationSubject> subjects, string site, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, string entryId, CancellationToken cancellationToken);
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
