using System.Collections.Concurrent;

namespace SpamGuard.Core.Reputation;

/// <summary>
/// The reputation store when no Redis is configured: this process only. Per subject it keeps every site's checks
/// and model verdicts in one set of window buckets, each reporting site's reports in buckets of their own, and per
/// label the most recent <see cref="ReportingSites.MaxPerLabel"/> reporting sites, which is what other sites read.
/// Bounded: buckets older than every window are dropped when a subject is touched, and subjects untouched for
/// <see cref="ReputationWindows.Retention"/> are swept out every <see cref="SweepEvery"/> writes (inline, so there is
/// no background loop to stop).
/// </summary>
public sealed class InProcessReputationStore(TimeProvider time) : IReputationStore
{
    internal const int SweepEvery = 10_000;

    private readonly ConcurrentDictionary<ReputationSubject, SubjectEntry> _subjects = new();
    private long _writes;

    public InProcessReputationStore()
        : this(TimeProvider.System)
    {
    }

    internal int SubjectCount => _subjects.Count;

    public Task<IReadOnlyList<SubjectReputation>> RecordCheckAsync(
        IReadOnlyList<ReputationSubject> subjects, string site, bool modelSaysSpam, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var reader = ReportingSites.Id(site);
        var result = new List<SubjectReputation>(subjects.Count);
        foreach (var subject in subjects.Distinct())
        {
            var entry = _subjects.GetOrAdd(subject, static _ => new SubjectEntry());
            lock (entry)
            {
                entry.DropExpired(at);
                result.Add(entry.Read(subject, reader, at));
                entry.Activity.Add(ReputationCounter.Checks, at, 1);
                if (modelSaysSpam)
                {
                    entry.Activity.Add(ReputationCounter.SpamVerdicts, at, 1);
                }

                entry.Touch(at);
            }
        }

        Wrote();
        return Task.FromResult<IReadOnlyList<SubjectReputation>>(result);
    }

    public Task<IReadOnlyList<SubjectReputation>> ReadAsync(IReadOnlyList<ReputationSubject> subjects, string site, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var reader = ReportingSites.Id(site);
        var result = new List<SubjectReputation>(subjects.Count);
        foreach (var subject in subjects.Distinct())
        {
            if (!_subjects.TryGetValue(subject, out var entry))
            {
                result.Add(new SubjectReputation(subject, new Dictionary<string, long>(StringComparer.Ordinal)));
                continue;
            }

            lock (entry)
            {
                result.Add(entry.Read(subject, reader, at));
            }
        }

        return Task.FromResult<IReadOnlyList<SubjectReputation>>(result);
    }

    public Task<long> EraseAsync(IReadOnlyList<ReputationSubject> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        return Task.FromResult((long)subjects.Distinct().Count(subject => _subjects.TryRemove(subject, out _)));
    }

    public Task RecordReportAsync(
        IReadOnlyList<ReputationSubject> subjects, string site, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, string entryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        ArgumentException.ThrowIfNullOrEmpty(entryId);
        var reporter = ReportingSites.Id(site);
        foreach (var subject in subjects.Distinct())
        {
            var entry = _subjects.GetOrAdd(subject, static _ => new SubjectEntry());
            lock (entry)
            {
                entry.DropExpired(at);
                entry.Report(reporter, label, at, replaces, entryId);
                entry.Touch(at);
            }
        }

        Wrote();
        return Task.CompletedTask;
    }

    private void Wrote()
    {
        if (Interlocked.Increment(ref _writes) % SweepEvery == 0)
        {
            var cutoff = time.GetUtcNow() - ReputationWindows.Retention;
            foreach (var (subject, entry) in _subjects)
            {
                if (entry.LastWrite < cutoff)
                {
                    _subjects.TryRemove(subject, out _);
                }
            }
        }
    }

    /// <summary>One subject; guarded by locking the instance.</summary>
    private sealed class SubjectEntry
    {
        /// <summary>Checks and model verdicts of every site.</summary>
        public Buckets Activity { get; } = new();

        /// <summary>Each reporting site's own reports, by <see cref="ReportingSites.Id"/>.</summary>
        private Dictionary<string, SiteReports> Sites { get; } = new(StringComparer.Ordinal);

        /// <summary>Per label, the most recent reporting sites and their latest report.</summary>
        private Dictionary<string, DateTimeOffset>[] Reporters { get; } = [new(StringComparer.Ordinal), new(StringComparer.Ordinal)];

        public DateTimeOffset LastWrite { get; private set; }

        public void Touch(DateTimeOffset at) => LastWrite = at > LastWrite ? at : LastWrite;

        public SubjectReputation Read(ReputationSubject subject, string reader, DateTimeOffset now)
        {
            var buckets = Activity.Live(now);
            if (Sites.TryGetValue(reader, out var own))
            {
                foreach (var (field, value) in own.Counts.Live(now))
                {
                    buckets[field] = value;
                }
            }

            var others = new List<SiteReport>();
            foreach (var label in (ReadOnlySpan<ReportLabel>)[ReportLabel.Spam, ReportLabel.Ham])
            {
                foreach (var (reporter, at) in Reporters[(int)label])
                {
                    if (reporter != reader && at > now - ReputationWindows.Retention)
                    {
                        others.Add(new SiteReport(reporter, label, at));
                    }
                }
            }

            return new SubjectReputation(subject, buckets) { OtherSites = others };
        }

        public void Report(string reporter, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, string entryId)
        {
            if (!Sites.TryGetValue(reporter, out var own))
            {
                Sites[reporter] = own = new SiteReports();
            }

            if (!own.Applied.TryAdd(entryId, at))
            {
                return;
            }

            own.Counts.Add(label.Counter(), at, 1);
            Admit(Reporters[(int)label], reporter, at);
            if (replaces is not null)
            {
                own.Counts.Add(replaces.Label.Counter(), replaces.At, -1);
                if (ReputationWindows.Count(own.Counts.Counts, replaces.Label.Counter(), ReputationWindow.Last30Days, at) <= 0)
                {
                    Reporters[(int)replaces.Label].Remove(reporter);
                }
            }
        }

        // The set keeps the most recent reporters: a newcomer replaces the one whose last report is oldest.
        private static void Admit(Dictionary<string, DateTimeOffset> reporters, string reporter, DateTimeOffset at)
        {
            if (reporters.TryGetValue(reporter, out var seen))
            {
                reporters[reporter] = at > seen ? at : seen;
                return;
            }

            if (reporters.Count >= ReportingSites.MaxPerLabel)
            {
                var oldest = reporters.MinBy(r => r.Value);
                if (oldest.Value >= at)
                {
                    return;
                }

                reporters.Remove(oldest.Key);
            }

            reporters[reporter] = at;
        }

        public void DropExpired(DateTimeOffset now)
        {
            Activity.DropExpired(now);
            // Most subjects are never reported: a check of one then copies nothing.
            if (Sites.Count == 0)
            {
                return;
            }

            foreach (var (site, own) in Sites.ToList())
            {
                own.Counts.DropExpired(now);
                foreach (var entry in own.Applied.Where(a => a.Value <= now - ReputationWindows.Retention).Select(a => a.Key).ToList())
                {
                    own.Applied.Remove(entry);
                }

                if (own.Applied.Count == 0 && own.Counts.Counts.Count == 0)
                {
                    Sites.Remove(site);
                }
            }

            foreach (var reporters in Reporters)
            {
                foreach (var gone in reporters.Where(r => r.Value <= now - ReputationWindows.Retention).Select(r => r.Key).ToList())
                {
                    reporters.Remove(gone);
                }
            }
        }
    }

    private sealed class SiteReports
    {
        public Buckets Counts { get; } = new();

        /// <summary>Reports already counted here, by entry id, with their time: kept as long as their counts matter.</summary>
        public Dictionary<string, DateTimeOffset> Applied { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Buckets
    {
        public Dictionary<string, long> Counts { get; } = new(StringComparer.Ordinal);

        public void Add(ReputationCounter counter, DateTimeOffset at, long delta)
        {
            foreach (var field in ReputationWindows.FieldsToIncrement(counter, at))
            {
                var value = Counts.GetValueOrDefault(field) + delta;
                // A correction never takes a count below zero, e.g. for a report whose bucket has already expired.
                if (value > 0)
                {
                    Counts[field] = value;
                }
                else
                {
                    Counts.Remove(field);
                }
            }
        }

        public Dictionary<string, long> Live(DateTimeOffset now) =>
            Counts.Where(c => !ReputationWindows.IsExpired(c.Key, now)).ToDictionary(StringComparer.Ordinal);

        public void DropExpired(DateTimeOffset now)
        {
            foreach (var field in Counts.Keys.Where(f => ReputationWindows.IsExpired(f, now)).ToList())
            {
                Counts.Remove(field);
            }
        }
    }
}
