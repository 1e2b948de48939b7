using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Feedback;

/// <summary>How far a report has been applied; a report interrupted by an outage resumes from here.</summary>
public enum ReportStage
{
    /// <summary>Accepted, nothing applied yet.</summary>
    Received,

    /// <summary>The check record carries the report; reputation has not counted it yet.</summary>
    CheckReported,

    /// <summary>Reputation counted it; the labelled example is not written yet.</summary>
    ReputationCounted,

    /// <summary>Fully applied, or found to need nothing (a repeat, an unknown check).</summary>
    Done,
}

/// <summary>A report on its way through the stores, as the journal keeps it while they are unavailable.</summary>
/// <param name="EntryId">Unique per accepted report; the labelled example is added once under this id.</param>
/// <param name="RecordToSave">For a comment reported in full: the check record to create before reporting it.</param>
/// <param name="Record">The reported check, once the check record has taken the report.</param>
/// <param name="Correction">The earlier opposite report this one replaces, taken back from reputation.</param>
/// <param name="Outcome">What the check record said, once it has taken the report.</param>
public sealed record PendingReport(
    string EntryId,
    string CheckId,
    string Site,
    ReportLabel Label,
    DateTimeOffset At,
    CheckRecord? RecordToSave,
    ReportStage Stage = ReportStage.Received,
    CheckRecord? Record = null,
    ReportCorrection? Correction = null,
    ReportOutcomeKind? Outcome = null);
