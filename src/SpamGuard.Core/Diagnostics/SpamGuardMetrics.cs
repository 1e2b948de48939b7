using System.Diagnostics.Metrics;

namespace SpamGuard.Core.Diagnostics;

/// <summary>
/// The service's own counters, on the "SpamGuard" meter (exported at /metrics). Created through
/// <see cref="IMeterFactory"/> so each host (and each test host) has its own instruments.
/// </summary>
public sealed class SpamGuardMetrics
{
    public const string MeterName = "SpamGuard";

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

    /// <summary>Where the pending gauges read from (the journal and the outbox register themselves).</summary>
    public void ObservePending(Func<long>? reports = null, Func<long>? checks = null)
    {
        _pendingReports = reports ?? _pendingReports;
        _pendingChecks = checks ?? _pendingChecks;
    }
}
