using System.Collections.Concurrent;

namespace SpamGuard.Core.Reputation;

/// <summary>
/// The reputation store when no Redis is configured: this process only, lost on restart. Bounded: buckets older than
/// every window are dropped when a subject is touched, and subjects untouched for <see cref="ReputationWindows.Retention"/>
/// are swept out every <see cref="SweepEvery"/> writes (inline, so there is no background loop to stop).
/// </summary>
public sealed class InProcessReputationStore(TimeProvider time) : IReputationStore
{
    internal const int SweepEvery = 10_000;

    private readonly ConcurrentDictionary<ReputationSubject, Buckets> _subjects = new();
    private long _writes;

    public InProcessReputationStore()
        : this(TimeProvider.System)
    {
    }

    internal int SubjectCount => _subjects.Count;

    public Task<IReadOnlyList<SubjectReputation>> RecordCheckAsync(
        IReadOnlyList<ReputationSubject> subjects, bool modelSaysSpam, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var result = new List<SubjectReputation>(subjects.Count);
        foreach (var subject in subjects.Distinct())
        {
            var buckets = _subjects.GetOrAdd(subject, static _ => new Buckets());
            lock (buckets)
            {
                buckets.DropExpired(at);
                result.Add(new SubjectReputation(subject, new Dictionary<string, long>(buckets.Counts, StringComparer.Ordinal)));
                buckets.Add(ReputationCounter.Checks, at, 1);
                if (modelSaysSpam)
                {
                    buckets.Add(ReputationCounter.SpamVerdicts, at, 1);
                }
            }
        }

        Wrote();
        return Task.FromResult<IReadOnlyList<SubjectReputation>>(result);
    }

    public Task<IReadOnlyList<SubjectReputation>> ReadAsync(IReadOnlyList<ReputationSubject> subjects, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var result = new List<SubjectReputation>(subjects.Count);
        foreach (var subject in subjects.Distinct())
        {
            if (!_subjects.TryGetValue(subject, out var buckets))
            {
                result.Add(new SubjectReputation(subject, new Dictionary<string, long>(StringComparer.Ordinal)));
                continue;
            }

            lock (buckets)
            {
                result.Add(new SubjectReputation(subject,
                    buckets.Counts.Where(c => !ReputationWindows.IsExpired(c.Key, at)).ToDictionary(StringComparer.Ordinal)));
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
        IReadOnlyList<ReputationSubject> subjects, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, string entryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        ArgumentException.ThrowIfNullOrEmpty(entryId);
        foreach (var subject in subjects.Distinct())
        {
            var buckets = _subjects.GetOrAdd(subject, static _ => new Buckets());
            lock (buckets)
            {
                buckets.DropExpired(at);
                if (!buckets.Applied.TryAdd(entryId, at))
                {
                    continue;
                }

                buckets.Add(label.Counter(), at, 1);
                if (replaces is not null)
                {
                    buckets.Add(replaces.Label.Counter(), replaces.At, -1);
                }
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
            foreach (var (subject, buckets) in _subjects)
            {
                if (buckets.LastWrite < cutoff)
                {
                    _subjects.TryRemove(subject, out _);
                }
            }
        }
    }

    private sealed class Buckets
    {
        public Dictionary<string, long> Counts { get; } = new(StringComparer.Ordinal);

        /// <summary>Reports already counted here, by entry id, with their time: kept as long as their counts matter.</summary>
        public Dictionary<string, DateTimeOffset> Applied { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset LastWrite { get; private set; }

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

            LastWrite = at > LastWrite ? at : LastWrite;
        }

        public void DropExpired(DateTimeOffset now)
        {
            foreach (var field in Counts.Keys.Where(f => ReputationWindows.IsExpired(f, now)).ToList())
            {
                Counts.Remove(field);
            }

            foreach (var entry in Applied.Where(a => a.Value <= now - ReputationWindows.Retention).Select(a => a.Key).ToList())
            {
                Applied.Remove(entry);
            }
        }
    }
}
