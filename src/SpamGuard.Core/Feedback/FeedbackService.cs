using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Features;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Feedback;

/// <summary>The check exists but belongs to another site. Until site keys are in use the edge reports it as not found,
/// so that a check's existence is not revealed; with keys it is a permission error.</summary>
public sealed class CheckOfAnotherSiteException(string message) : Exception(message)
{
    public CheckOfAnotherSiteException()
        : this("The check belongs to another site.")
    {
    }

    public CheckOfAnotherSiteException(string message, Exception innerException)
        : this(message + " " + innerException?.Message)
    {
    }
}

/// <summary>A spam or ham report: of an earlier check by its id, or of a comment sent again in full.</summary>
public sealed record FeedbackReport(ReportLabel Label, string Site, string? CheckId, Comment? Comment);

public enum FeedbackOutcome
{
    Recorded,
    Repeated,
    Corrected,

    /// <summary>A store was unavailable: the report is in the local journal and will be applied when it answers.</summary>
    Queued,

    /// <summary>A test comment (is_test): nothing learned or stored.</summary>
    TestNotLearned,
}

public sealed record FeedbackResult(string CheckId, FeedbackOutcome Outcome);

/// <summary>No check with that id is known to the caller: never made, expired, or (until site keys exist) another site's.</summary>
public sealed class CheckNotFoundException(string message) : Exception(message)
{
    public CheckNotFoundException()
        : this("No such check.")
    {
    }

    public CheckNotFoundException(string message, Exception innerException)
        : this(message + " " + innerException?.Message)
    {
    }
}

/// <summary>
/// Applies reports: the check record takes the report atomically (new, repeated or a correction); reputation counts
/// it (taking back a corrected report); the comment becomes a labelled example for retraining. Each step is applied
/// once. If a store does not answer, the report is journaled locally with the step it reached and replayed from
/// there later (<see cref="ReplayJournalAsync"/>), so no accepted report is lost and none is counted twice.
/// </summary>
public sealed partial class FeedbackService(
    ICheckRecordStore records,
    IReputationStore reputation,
    ILabelledExampleStore examples,
    ReportJournal journal,
    Pseudonymizer pseudonyms,
    IOptions<FeedbackOptions> options,
    TimeProvider time,
    SpamGuardMetrics metrics,
    ILogger<FeedbackService> logger)
{
    /// <exception cref="CheckNotFoundException">The check id is unknown, expired, or another site's.</exception>
    public async Task<FeedbackResult> ReportAsync(FeedbackReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var pending = Pending(report);
        if (pending is null)
        {
            return Count(report.Label, new FeedbackResult(CheckIdOf(report.Comment!), FeedbackOutcome.TestNotLearned));
        }

        var reached = pending;
        try
        {
            var outcome = await ApplyAsync(pending, step =>
            {
                reached = step;
                return Task.CompletedTask;
            }, cancellationToken);
            return Count(report.Label, outcome switch
            {
                ReportOutcomeKind.Recorded => new FeedbackResult(pending.CheckId, FeedbackOutcome.Recorded),
                ReportOutcomeKind.Corrected => new FeedbackResult(pending.CheckId, FeedbackOutcome.Corrected),
                ReportOutcomeKind.Repeated => new FeedbackResult(pending.CheckId, FeedbackOutcome.Repeated),
                ReportOutcomeKind.OtherSite => throw new CheckOfAnotherSiteException($"No check {pending.CheckId} of this site is known."),
                _ => throw new CheckNotFoundException($"No check {pending.CheckId} of this site is known; checks are kept for {options.Value.CheckRetentionDays.ToString(CultureInfo.InvariantCulture)} days."),
            });
        }
        catch (StoreUnavailableException ex)
        {
            await journal.AppendAsync(reached, CancellationToken.None);
            metrics.Journaled();
            LogJournaled(logger, pending.CheckId, reached.Stage.ToString(), ex.Message);
            return Count(report.Label, new FeedbackResult(pending.CheckId, FeedbackOutcome.Queued));
        }
    }

    /// <summary>Applies the journaled reports; returns how many were applied. A report that cannot be applied (its
    /// check is not found in the store, or it fails for another reason than an outage) is not dropped: it is kept with
    /// its reason in journal.failed.jsonl, counted (spamguard.reports.failed) and logged as a warning.</summary>
    /// <exception cref="StoreUnavailableException">A store is still unavailable; the rest waits for the next try.</exception>
    public async Task<int> ReplayJournalAsync(CancellationToken cancellationToken)
    {
        var (applied, failed) = await journal.ReplayAsync(async (report, progress) =>
        {
            string? failure;
            try
            {
                var outcome = await ApplyAsync(report, progress, cancellationToken);
                failure = outcome switch
                {
                    ReportOutcomeKind.NotFound => CheckNotFoundReason,
                    ReportOutcomeKind.OtherSite => OtherSiteReason,
                    _ => null,
                };
            }
            catch (Exception ex) when (ex is not (StoreUnavailableException or OperationCanceledException or IOException or UnauthorizedAccessException))
            {
                // One report that cannot be applied must not hold back every report behind it.
                failure = "error: " + ex.GetType().Name;
            }

            if (failure is not null)
            {
                metrics.ReportFailed(failure.Split(':')[0]);
                LogReplayFailed(logger, report.CheckId, report.EntryId, failure);
            }
            else
            {
                // Counted as each is applied: a replay cut short by another outage must not lose the count of those
                // it applied before (the next replay skips them).
                metrics.Replayed(1);
            }

            return failure;
        }, cancellationToken);
        if (applied > 0)
        {
            LogReplayed(logger, applied);
        }

        return applied;
    }

    internal const string CheckNotFoundReason = "check_not_found: the check it names is not in the store (never recorded, expired, or lost by the store)";

    internal const string OtherSiteReason = "other_site: the check it names belongs to another site";

    public bool HasJournaledReports => journal.HasPending;

    /// <summary>Reports answered QUEUED and not applied yet.</summary>
    public long PendingReports => journal.PendingCount;

    /// <summary>Reports answered QUEUED that could not be applied (kept with their reasons).</summary>
    public long FailedReports => journal.FailedCount;

    private PendingReport? Pending(FeedbackReport report)
    {
        var at = time.GetUtcNow();
        var entryId = CheckId.New();
        if (report.Comment is not { } comment)
        {
            return new PendingReport(entryId, report.CheckId ?? throw new ArgumentException("A report needs a check id or a comment.", nameof(report)),
                report.Site, report.Label, at, RecordToSave: null);
        }

        if (comment.IsTest)
        {
            return null;
        }

        var checkId = CheckIdOf(comment);
        var subjects = ReputationSubjects.For(comment, TextNormalizer.Normalize(comment.Content), pseudonyms);
        // Blogs report what the filter got wrong, so a spam report is of a comment the model took for ham.
        var record = CommentCheckService.RecordOf(checkId, comment, at, subjects, modelSaidSpam: report.Label == ReportLabel.Ham);
        return new PendingReport(entryId, checkId, comment.Site.ToString(), report.Label, at, record);
    }

    private string CheckIdOf(Comment comment)
    {
        var canonical = new StringBuilder()
            .Append(comment.Site).Append('\n')
            .Append(comment.UserIp).Append('\n')
            .Append(comment.AuthorEmail.ToLowerInvariant()).Append('\n')
            .Append(comment.Author).Append('\n')
            .Append(comment.AuthorUrl).Append('\n')
            .Append(comment.Content);
        return pseudonyms.CheckIdFor(canonical.ToString());
    }

    private async Task<ReportOutcomeKind> ApplyAsync(PendingReport report, Func<PendingReport, Task> progress, CancellationToken cancellationToken)
    {
        var current = report;
        if (current.Stage == ReportStage.Received)
        {
            if (current.RecordToSave is { } record)
            {
                // Saving again keeps an earlier report of the same comment, so repeats stay repeats.
                await records.SaveAsync(record, options.Value.CheckRetention, cancellationToken);
            }

            var outcome = await records.ReportAsync(current.CheckId, current.Site, current.Label, current.At, current.EntryId, cancellationToken);
            current = outcome.Kind switch
            {
                // This very report already reached the check record (its reply was lost, or a replay was cut short
                // before it could note the step): carry on from there, taking back what it replaced.
                ReportOutcomeKind.Repeated when outcome.Previous?.EntryId == current.EntryId => current with
                {
                    Stage = ReportStage.CheckReported,
                    Record = outcome.Record,
                    Correction = outcome.Previous.Replaced is { } replaced ? new ReportCorrection(replaced.Label, replaced.At) : null,
                    Outcome = outcome.Previous.Replaced is null ? ReportOutcomeKind.Recorded : ReportOutcomeKind.Corrected,
                },
                ReportOutcomeKind.Recorded or ReportOutcomeKind.Corrected => current with
                {
                    Stage = ReportStage.CheckReported,
                    Record = outcome.Record,
                    Correction = outcome.Kind == ReportOutcomeKind.Corrected && outcome.Previous is { } previous
                        ? new ReportCorrection(previous.Label, previous.At)
                        : null,
                    Outcome = outcome.Kind,
                },
                _ => current with { Stage = ReportStage.Done, Outcome = outcome.Kind },
            };
            if (current.Outcome is not (ReportOutcomeKind.NotFound or ReportOutcomeKind.OtherSite))
            {
                // A report that found no check is marked done only once it is kept as failed (the journal does both).
                await progress(current);
            }
        }

        var reported = current.Record;
        if (current.Stage == ReportStage.CheckReported && reported is not null)
        {
            await reputation.RecordReportAsync(reported.Subjects, current.Site, current.Label, current.At, current.Correction, current.EntryId, cancellationToken);
            current = current with { Stage = ReportStage.ReputationCounted };
            await progress(current);
        }

        if (current.Stage == ReportStage.ReputationCounted && reported is not null)
        {
            await examples.AppendAsync(
                new LabelledExample(current.EntryId, current.CheckId, current.Site, current.Label, current.At, reported.Content, reported.AuthorShape)
                {
                    Pseudonyms = [.. reported.Subjects.Where(s => s.Kind is SubjectKind.Ip or SubjectKind.Email or SubjectKind.AuthorHost).Select(s => s.Pseudonym)],
                },
                cancellationToken);
            current = current with { Stage = ReportStage.Done };
            await progress(current);
        }

        return current.Outcome ?? ReportOutcomeKind.NotFound;
    }

    private FeedbackResult Count(ReportLabel label, FeedbackResult result)
    {
        metrics.Reported(label.ToString(), result.Outcome.ToString());
        return result;
    }

    [LoggerMessage(5101, LogLevel.Warning, "Report of check {CheckId} journaled at stage {Stage}; it is applied when the store answers again: {Reason}")]
    private static partial void LogJournaled(ILogger logger, string checkId, string stage, string reason);

    [LoggerMessage(5102, LogLevel.Information, "Applied {Count} journaled reports.")]
    private static partial void LogReplayed(ILogger logger, int count);

    [LoggerMessage(5103, LogLevel.Warning, "A journaled report (entry {EntryId}) of check {CheckId} could not be applied and is kept in journal.failed.jsonl: {Reason}")]
    private static partial void LogReplayFailed(ILogger logger, string checkId, string entryId, string reason);
}
