using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// What was scored, kept so a blog can report a mistake by check id alone. Everything personal is pseudonymised (the
/// subjects); the content and the author's name shape are kept as they are, because retraining needs them.
/// </summary>
public sealed record CheckRecord(
    string CheckId,
    string Site,
    DateTimeOffset CheckedAt,
    IReadOnlyList<ReputationSubject> Subjects,
    string Content,
    string AuthorShape,
    bool ModelSaidSpam,
    CheckReceipt? Receipt = null);

/// <summary>
/// What a check told its caller, kept with the record so the commenter's receipt shows exactly the response's verdict
/// and processing entries, and a REST caller can fetch the explanation by the check's id. It holds no raw personal
/// data: the processing entries name fields and pseudonyms only, and signal evidence masks addresses (the signals
/// quote words and link hosts of the content, which the record keeps anyway).
/// </summary>
public sealed record CheckReceipt(
    Scoring.Verdict Verdict,
    double SpamProbability,
    string ModelVersion,
    IReadOnlyList<Explanations.FieldProcessing> Processing)
{
    public string Summary { get; init; } = "";

    public IReadOnlyList<Explanations.Signal> Signals { get; init; } = [];

    public bool ReputationAvailable { get; init; }
}

/// <summary>The report a check currently carries.</summary>
/// <param name="EntryId">The accepted report it came from: a report applied again after a lost reply (a timeout
/// that did reach the store, a replayed journal) recognises itself by this.</param>
/// <param name="Replaced">The earlier report this one replaced, if it was a correction.</param>
public sealed record CheckReport(ReportLabel Label, DateTimeOffset At, string EntryId = "", CheckReport? Replaced = null);

public enum ReportOutcomeKind
{
    /// <summary>No such check, or it has expired.</summary>
    NotFound,

    /// <summary>The check belongs to another site.</summary>
    OtherSite,

    /// <summary>The first report of this check.</summary>
    Recorded,

    /// <summary>The same report again: nothing changes (reports are idempotent).</summary>
    Repeated,

    /// <summary>The opposite of an earlier report, which it replaces.</summary>
    Corrected,
}

/// <param name="Record">The check, unless <see cref="ReportOutcomeKind.NotFound"/>.</param>
/// <param name="Previous">The report replaced (Corrected) or repeated (Repeated).</param>
public sealed record ReportOutcome(ReportOutcomeKind Kind, CheckRecord? Record = null, CheckReport? Previous = null);

/// <summary>Check records with a retention window; an in-process and a Redis implementation pass the same tests.</summary>
public interface ICheckRecordStore
{
    /// <summary>Keeps <paramref name="record"/> for <paramref name="keep"/>.</summary>
    Task SaveAsync(CheckRecord record, TimeSpan keep, CancellationToken cancellationToken);

    /// <summary>
    /// Adds the receipt to a record already saved, without waiting for the store: a check saves its record while it
    /// is scored (in the same round trip as its reputation) and its answer does not wait a second round trip for
    /// this copy. Best effort: a store that fails at this moment leaves the record without a receipt (its receipt
    /// page says not found; a report by id still works). A record that has expired or was never saved stays absent.
    /// </summary>
    void AttachReceipt(string checkId, CheckReceipt receipt);

    Task<CheckRecord?> GetAsync(string checkId, CancellationToken cancellationToken);

    /// <summary>Sets the check's report atomically, telling whether it was new, repeated or a correction.</summary>
    /// <param name="entryId">Unique per accepted report; kept with the report (see <see cref="CheckReport.EntryId"/>).</param>
    Task<ReportOutcome> ReportAsync(string checkId, string site, ReportLabel label, DateTimeOffset at, string entryId, CancellationToken cancellationToken);

    /// <summary>Deletes every record whose subjects include any of <paramref name="pseudonyms"/>; returns how many.</summary>
    Task<long> EraseAsync(IReadOnlySet<string> pseudonyms, CancellationToken cancellationToken);
}
