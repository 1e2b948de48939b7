using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Scoring;

/// <summary>
/// A check as the service runs it: the model and rules score the comment; its pseudonymised subjects are looked up
/// and counted in reputation in one call, while the check is recorded so it can be reported by id; reports of them
/// become log-odds evidence; the receipt of what the caller was told is then attached to the record for the
/// commenter. A store that does not answer in time never fails the check: it is scored without reputation, says so,
/// and is counted. Test calls (is_test) look reputation up but store nothing.
/// </summary>
public sealed partial class CommentCheckService(
    CommentScorer scorer,
    IReputationStore reputation,
    ICheckRecordStore records,
    Pseudonymizer pseudonyms,
    IOptions<ReputationOptions> reputationOptions,
    IOptions<FeedbackOptions> feedbackOptions,
    TimeProvider time,
    SpamGuardMetrics metrics,
    ILogger<CommentCheckService> logger)
{
    // 1 while the reputation store is failing: an outage is logged once when it starts and once when it ends, not
    // once per check (the per-check lines are Debug; the metric counts every degraded check).
    private int _degraded;

    /// <exception cref="ModelNotReadyException">No model is loaded yet.</exception>
    /// <exception cref="OperationCanceledException">The caller gave up (its deadline passed): the check stops at the
    /// next step instead of finishing work nobody will read.</exception>
    public async Task<CheckResult> CheckAsync(Comment comment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(comment);
        cancellationToken.ThrowIfCancellationRequested();
        var started = time.GetTimestamp();
        using var activity = SpamGuardActivity.Source.StartActivity("spamguard.check");
        var result = await RunAsync(comment, cancellationToken);
        metrics.CheckTook(time.GetElapsedTime(started));
        activity?.SetTag("spamguard.verdict", result.Verdict.ToString());
        activity?.SetTag("spamguard.model.version", result.ModelVersion);
        activity?.SetTag("spamguard.reputation.available", result.Explanation.ReputationAvailable);
        return result;
    }

    private async Task<CheckResult> RunAsync(Comment comment, CancellationToken cancellationToken)
    {
        var prepared = scorer.Prepare(comment);
        var checkId = CheckId.New();
        var now = time.GetUtcNow();
        var subjects = ReputationSubjects.For(comment, prepared.Content, pseudonyms);

        var retention = feedbackOptions.Value.CheckRetention;
        var site = comment.Site.ToString();
        var lookup = comment.IsTest
            ? Started(() => reputation.ReadAsync(subjects, site, now, cancellationToken))
            : Started(() => reputation.RecordCheckAsync(subjects, site, prepared.ModelSaysSpam, now, cancellationToken));

        // The record is saved alongside the reputation call, not after scoring: with a shared store both go out in
        // one round trip. Its receipt (the verdict and processing entries the caller gets) is attached once scored.
        var saved = comment.IsTest ? null : Started(async () =>
        {
            await records.SaveAsync(RecordOf(checkId, comment, now, subjects, prepared.ModelSaysSpam), retention, cancellationToken);
            return true;
        });

        IReadOnlyList<SubjectReputation>? known = null;
        try
        {
            known = await lookup;
        }
        catch (StoreUnavailableException ex)
        {
            metrics.ReputationUnavailable();
            LogReputationUnavailable(logger, checkId, ex.Message);
            if (Interlocked.Exchange(ref _degraded, 1) == 0)
            {
                LogDegraded(logger, ex.Message);
            }
        }

        if (known is not null && Volatile.Read(ref _degraded) == 1 && Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            LogRecovered(logger);
        }

        var kept = false;
        if (saved is not null)
        {
            try
            {
                kept = await saved;
            }
            catch (StoreUnavailableException ex)
            {
                LogRecordNotSaved(logger, checkId, ex.Message);
            }
        }

        // The stores have answered (or were given up on); what is left is CPU work only the caller would read.
        cancellationToken.ThrowIfCancellationRequested();
        var use = known is null ? ReputationUse.Unavailable : comment.IsTest ? ReputationUse.ReadOnly : ReputationUse.Recorded;
        var evidence = known is null ? [] : ReputationEvidence.Signals(known, reputationOptions.Value, now);
        var result = scorer.Finish(prepared, evidence, new StoredData(use, subjects, ReputationWindows.Retention, kept ? retention : TimeSpan.Zero), checkId);
        if (kept)
        {
            records.AttachReceipt(checkId, new CheckReceipt(result.Verdict, result.SpamProbability, result.ModelVersion, result.Explanation.Processing)
            {
                Summary = result.Explanation.Summary,
                Signals = [.. result.Explanation.Signals.Select(StoredForm)],
                ReputationAvailable = result.Explanation.ReputationAvailable,
            });
        }

        return Checked(result);
    }

    /// <summary>A signal as the record keeps it: evidence from the author fields (e-mail domain, website host, name)
    /// is withheld, since the record keeps those fields only as pseudonyms.</summary>
    internal static Signal StoredForm(Signal signal) =>
        signal.Kind == SignalKind.Author ? signal with { Evidence = WithheldEvidence } : signal;

    internal const string WithheldEvidence = "(from the author fields; not stored)";

    private CheckResult Checked(CheckResult result)
    {
        metrics.Checked(result.Verdict.ToString());
        return result;
    }

    /// <summary>What a check keeps for a later report: pseudonyms, the text with addresses masked, the name's shape.</summary>
    internal static CheckRecord RecordOf(string checkId, Comment comment, DateTimeOffset at, IReadOnlyList<ReputationSubject> subjects, bool modelSaidSpam) =>
        new(checkId, comment.Site.ToString(), at, subjects, EvidenceMask.Addresses(comment.Content),
            CommentFeatureExtractor.AuthorTokens(comment.Author, null, null), modelSaidSpam);

    // A store that fails before returning its task must not skip the other call or escape the degradation below.
    private static Task<T> Started<T>(Func<Task<T>> call)
    {
        try
        {
            return call();
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    [LoggerMessage(5001, LogLevel.Debug, "Check {CheckId} scored without reputation: {Reason}")]
    private static partial void LogReputationUnavailable(ILogger logger, string checkId, string reason);

    [LoggerMessage(5002, LogLevel.Debug, "Check {CheckId} was not recorded, so it cannot be reported by id: {Reason}")]
    private static partial void LogRecordNotSaved(ILogger logger, string checkId, string reason);

    [LoggerMessage(5003, LogLevel.Warning, "The reputation store stopped answering in time; checks are scored without reputation until it recovers: {Reason}")]
    private static partial void LogDegraded(ILogger logger, string reason);

    [LoggerMessage(5004, LogLevel.Information, "The reputation store answers again; checks use reputation.")]
    private static partial void LogRecovered(ILogger logger);
}
