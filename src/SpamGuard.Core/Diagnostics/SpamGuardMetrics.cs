using System.Diagnostics.Metrics;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Diagnostics;

/// <summary>
/// The service's own counters, on the "SpamGuard" meter (exported at /metrics). Created through
/// <see cref="IMeterFactory"/> so each host (and each test host) has its own instruments. Every counter whose label
/// values are known up front starts at 0 with each of them, so a rate or an alert works before the first event
/// (a Prometheus series that does not exist yet is not 0, it is absent).
/// </summary>
public sealed class SpamGuardMetrics
{
    public const string MeterName = "SpamGuard";

    /// <summary>Seconds; from 50 µs, since a check takes well under a millisecond, up to 1 s (a store timeout).</summary>
    public static readonly IReadOnlyList<double> LatencyBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    /// <summary>Reasons a journaled report failed (the text before the colon of FeedbackService's reasons) and a
    /// check record left the outbox unsent.</summary>
    public static readonly IReadOnlyList<string> ReportFailureReasons = ["check_not_found", "other_site", "error"];
    public static readonly IReadOnlyList<string> OutboxLossReasons = ["full", "expired"];

    /// <summary>Which budget refused a call: a key's (or keyless site's) calls, or its reports.</summary>
    public static readonly IReadOnlyList<string> RateLimits = ["calls", "reports"];

    /// <summary>(key, reason) of authentication failures: a site key missing, not valid, or another site's; the
    /// admin key missing, not valid, or a site key presented in its place.</summary>
    public static readonly IReadOnlyList<(string Key, string Reason)> AuthFailures =
        [("site", "missing"), ("site", "invalid"), ("site", "other_site"), ("admin", "missing"), ("admin", "invalid"), ("admin", "site_key")];

    /// <summary>Why a store call failed: not sent (not connected, or waiting for an answer after a timeout), timed
    /// out, failed, or refused by the open circuit.</summary>
    public static readonly IReadOnlyList<string> StoreErrorReasons = ["not_connected", "unanswered", "timeout", "error", "circuit_open"];

    private readonly Counter<long> _checks;
    private readonly Counter<long> _reputationUnavailable;
    private readonly Counter<long> _reports;
    private readonly Counter<long> _journaled;
    private readonly Counter<long> _replayed;
    private readonly Counter<long> _recordsEvicted;
    private readonly Counter<long> _subjectsEvicted;
    private readonly Counter<long> _recordWritesDropped;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _outboxed;
    private readonly Counter<long> _outboxFlushed;
    private readonly Counter<long> _outboxLost;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _storeErrors;
    private readonly Histogram<double> _checkDuration;
    private Func<long>? _pendingReports;
    private Func<long>? _pendingChecks;

    public SpamGuardMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _checks = meter.CreateCounter<long>("spamguard.checks", "{check}", "Comments checked, by verdict.");
        _reputationUnavailable = meter.CreateCounter<long>("spamguard.reputation.unavailable", "{check}",
            "Checks scored without reputation because the store did not answer in time.");
        _reports = meter.CreateCounter<long>("spamguard.reports", "{report}", "Spam and ham reports, by label and outcome.");
        _journaled = meter.CreateCounter<long>("spamguard.reports.journaled", "{report}",
            "Reports written to the local journal because the store did not answer.");
        _replayed = meter.CreateCounter<long>("spamguard.reports.replayed", "{report}", "Journaled reports applied to the store.");
        _recordsEvicted = meter.CreateCounter<long>("spamguard.check_records.evicted", "{record}",
            "Check records removed before their retention ended because the store held Feedback:MaxCheckRecords.");
        _subjectsEvicted = meter.CreateCounter<long>("spamguard.reputation.subjects_evicted", "{subject}",
            "Reputation subjects removed from the in-process store before their retention ended because it held Reputation:MaxSubjects.");
        _recordWritesDropped = meter.CreateCounter<long>("spamguard.check_records.writes_dropped", "{write}",
            "Receipts not attached to a stored check record because the embedded store's write queue was full.");
        _failed = meter.CreateCounter<long>("spamguard.reports.failed", "{report}",
            "Journaled reports that could not be applied, by reason; each is kept in journal.failed.jsonl.");
        meter.CreateObservableGauge("spamguard.reports.pending", () => _pendingReports?.Invoke() ?? 0, "{report}",
            "Reports answered QUEUED and waiting in the journal.");
        _outboxed = meter.CreateCounter<long>("spamguard.checks.outboxed", "{check}",
            "Check records kept in the local outbox because the store did not answer.");
        _outboxFlushed = meter.CreateCounter<long>("spamguard.checks.outbox.flushed", "{check}", "Check records moved from the outbox to the store.");
        _outboxLost = meter.CreateCounter<long>("spamguard.checks.outbox.lost", "{check}",
            "Check records not kept for a later report, by reason (outbox full, expired before the store came back).");
        meter.CreateObservableGauge("spamguard.checks.outbox.pending", () => _pendingChecks?.Invoke() ?? 0, "{check}",
            "Check records in the outbox, waiting for the store.");
        _rateLimited = meter.CreateCounter<long>("spamguard.rate_limited", "{call}",
            "Site calls refused because a budget was used up, by limit (calls, reports).");
        _authFailures = meter.CreateCounter<long>("spamguard.auth.failures", "{call}",
            "Calls refused for their key, by key (site, admin) and reason.");
        _storeErrors = meter.CreateCounter<long>("spamguard.store.errors", "{call}",
            "Calls to the shared store (Redis) that failed or were not sent, by reason; each degrades or is retried.");
        _checkDuration = meter.CreateHistogram("spamguard.check.duration", "s",
            "Time to check one comment in Core (scoring, reputation and the record), without the transport.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

        StartAtZero();
    }

    private void StartAtZero()
    {
        foreach (var verdict in Enum.GetNames<Verdict>())
        {
            _checks.Add(0, new KeyValuePair<string, object?>("verdict", verdict));
        }

        foreach (var label in Enum.GetNames<ReportLabel>())
        {
            foreach (var outcome in Enum.GetNames<FeedbackOutcome>())
            {
                _reports.Add(0, new KeyValuePair<string, object?>("label", label), new KeyValuePair<string, object?>("outcome", outcome));
            }
        }

        foreach (var reason in ReportFailureReasons)
        {
            _failed.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }

        foreach (var reason in OutboxLossReasons)
        {
            _outboxLost.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }

        foreach (var limit in RateLimits)
        {
            _rateLimited.Add(0, new KeyValuePair<string, object?>("limit", limit));
        }

        foreach (var (key, reason) in AuthFailures)
        {
            _authFailures.Add(0, new KeyValuePair<string, object?>("key", key), new KeyValuePair<string, object?>("reason", reason));
        }

        foreach (var reason in StoreErrorReasons)
        {
            _storeErrors.Add(0, new KeyValuePair<string, object?>("store", "redis"), new KeyValuePair<string, object?>("reason", reason));
        }

        _reputationUnavailable.Add(0);
        _journaled.Add(0);
        _replayed.Add(0);
        _recordsEvicted.Add(0);
        _recordWritesDropped.Add(0);
        _outboxed.Add(0);
        _outboxFlushed.Add(0);
    }

    public void Checked(string verdict) => _checks.Add(1, new KeyValuePair<string, object?>("verdict", verdict));

    public void ReputationUnavailable() => _reputationUnavailable.Add(1);

    public void Reported(string label, string outcome) =>
        _reports.Add(1, new KeyValuePair<string, object?>("label", label), new KeyValuePair<string, object?>("outcome", outcome));

    public void Journaled() => _journaled.Add(1);

    public void Replayed(int count) => _replayed.Add(count);

    public void CheckRecordsEvicted(long count) => _recordsEvicted.Add(count);

    public void ReputationSubjectsEvicted(long count) => _subjectsEvicted.Add(count);

    public void CheckRecordWriteDropped() => _recordWritesDropped.Add(1);
    public void ReportFailed(string reason) => _failed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Outboxed() => _outboxed.Add(1);

    public void OutboxFlushed(int count) => _outboxFlushed.Add(count);

    public void OutboxLost(string reason, int count = 1) => _outboxLost.Add(count, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A site call refused by <paramref name="limit"/> (one of <see cref="RateLimits"/>).</summary>
    public void RateLimited(string limit) => _rateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit));

    /// <summary>A call refused for its key; <paramref name="key"/> and <paramref name="reason"/> as in <see cref="AuthFailures"/>.</summary>
    public void AuthFailed(string key, string reason) =>
        _authFailures.Add(1, new KeyValuePair<string, object?>("key", key), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A Redis call that failed or was not sent; <paramref name="reason"/> is one of <see cref="StoreErrorReasons"/>.</summary>
    public void StoreError(string reason) =>
        _storeErrors.Add(1, new KeyValuePair<string, object?>("store", "redis"), new KeyValuePair<string, object?>("reason", reason));

    public void CheckTook(TimeSpan elapsed) => _checkDuration.Record(elapsed.TotalSeconds);

    /// <summary>Where the pending gauges read from (the journal and the outbox register themselves).</summary>
    public void ObservePending(Func<long>? reports = null, Func<long>? checks = null)
    {
        _pendingReports = reports ?? _pendingReports;
        _pendingChecks = checks ?? _pendingChecks;
    }
}
