using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Diagnostics;

namespace SpamGuard.Core.Reputation;

/// <summary>
/// The reputation store when no Redis is configured: this process only. Per subject it keeps every site's checks
/// and model verdicts in one set of numeric window buckets (<see cref="BucketCounts"/>), each reporting site's reports
/// in buckets of their own, and per label the most recent <see cref="ReportingSites.MaxPerLabel"/> reporting sites,
/// which is what other sites read. A check holds a subject's lock only to sum a few numbers and add three: no copies,
/// no strings. Bounded: buckets older than every window are dropped when a subject is touched, subjects untouched
/// for <see cref="ReputationWindows.Retention"/> are swept out every <see cref="SweepEvery"/> writes, and past
/// <see cref="ReputationOptions.MaxSubjects"/> the least recently written tenth goes at once (both inline, so there is
/// no background loop to stop).
/// <para>
/// Made with <c>trackChanges</c>, it remembers which subjects changed (written, swept or erased) so that a snapshot
/// writer can persist them (<see cref="TakeChanges"/>) and a restart can load them back (<see cref="Restore"/>); the
/// embedded default does so into SQLite, so reputation survives a restart without Redis.
/// </para>
/// </summary>
public sealed class InProcessReputationStore : IReputationStore
{
    internal const int SweepEvery = 10_000;

    private readonly ConcurrentDictionary<ReputationSubject, SubjectEntry> _subjects = new();
    private readonly ConcurrentDictionary<ReputationSubject, byte>? _changed;
    private readonly TimeProvider _time;
    private readonly Lazy<int> _maxSubjects;
    private readonly SpamGuardMetrics? _metrics;
    private long _writes;
    private int _count;
    private int _evicting;

    public InProcessReputationStore()
        : this(TimeProvider.System)
    {
    }

    /// <param name="trackChanges">Remember changed subjects for <see cref="TakeChanges"/> (a store written to disk).</param>
    /// <param name="maxSubjects">See <see cref="ReputationOptions.MaxSubjects"/>; 0 takes its default.</param>
    /// <param name="metrics">Counts evicted subjects, when given.</param>
    public InProcessReputationStore(TimeProvider time, bool trackChanges = false, int maxSubjects = 0, SpamGuardMetrics? metrics = null)
        : this(time, trackChanges, () => maxSubjects, metrics)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSubjects);
    }

    /// <summary>The store as the host makes it: the cap is read from <paramref name="options"/> when first needed, so
    /// that constructing the store (e.g. for a hosted service) does not read settings before they are validated.</summary>
    public InProcessReputationStore(TimeProvider time, IOptions<ReputationOptions> options, SpamGuardMetrics metrics, bool trackChanges = false)
        : this(time, trackChanges, () => (options ?? throw new ArgumentNullException(nameof(options))).Value.MaxSubjects, metrics)
    {
    }

    private InProcessReputationStore(TimeProvider time, bool trackChanges, Func<int> maxSubjects, SpamGuardMetrics? metrics)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _changed = trackChanges ? new() : null;
        _maxSubjects = new Lazy<int>(() => maxSubjects() is var max and > 0 ? max : new ReputationOptions().MaxSubjects);
        _metrics = metrics;
    }

    internal int SubjectCount => Volatile.Read(ref _count);

    public Task<IReadOnlyList<SubjectReputation>> RecordCheckAsync(
        IReadOnlyList<ReputationSubject> subjects, string site, bool modelSaysSpam, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var reader = ReportingSites.Id(site);
        var result = new List<SubjectReputation>(subjects.Count);
        foreach (var subject in Distinct(subjects))
        {
            var entry = Entry(subject, at);
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

            Changed(subject);
        }

        Wrote();
        return Task.FromResult<IReadOnlyList<SubjectReputation>>(result);
    }

    public Task<IReadOnlyList<SubjectReputation>> ReadAsync(IReadOnlyList<ReputationSubject> subjects, string site, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var reader = ReportingSites.Id(site);
        var result = new List<SubjectReputation>(subjects.Count);
        foreach (var subject in Distinct(subjects))
        {
            if (!_subjects.TryGetValue(subject, out var entry))
            {
                result.Add(new SubjectReputation(subject, new WindowCounts()));
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
        long erased = 0;
        foreach (var subject in Distinct(subjects))
        {
            if (Remove(subject))
            {
                erased++;
            }

            // Also when not held here: a snapshot on disk may still have it.
            Changed(subject);
        }

        return Task.FromResult(erased);
    }

    public Task RecordReportAsync(
        IReadOnlyList<ReputationSubject> subjects, string site, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, string entryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        ArgumentException.ThrowIfNullOrEmpty(entryId);
        var reporter = ReportingSites.Id(site);
        foreach (var subject in Distinct(subjects))
        {
            var entry = Entry(subject, at);
            lock (entry)
            {
                entry.DropExpired(at);
                entry.Report(reporter, label, at, replaces, entryId);
                entry.Touch(at);
            }

            Changed(subject);
        }

        Wrote();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The subjects changed since the last call, each with its state as <see cref="Restore"/> reads it, or null when
    /// the subject is gone (erased or swept) and its persisted copy must be deleted. Empty unless made with
    /// <c>trackChanges</c>. A caller that fails to persist them hands them back with <see cref="MarkChanged"/>.
    /// </summary>
    public IReadOnlyList<SubjectChange> TakeChanges()
    {
        if (_changed is null || _changed.IsEmpty)
        {
            return [];
        }

        var changes = new List<SubjectChange>(_changed.Count);
        // One buffer for the whole batch: each entry is written into it, then copied out at its exact size.
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer);
        foreach (var subject in _changed.Keys)
        {
            // Removed before it is read: a write racing with this snapshot marks the subject again for the next one.
            _changed.TryRemove(subject, out _);
            if (!_subjects.TryGetValue(subject, out var entry))
            {
                changes.Add(new SubjectChange(subject, null, default));
                continue;
            }

            buffer.SetLength(0);
            DateTimeOffset lastWrite;
            lock (entry)
            {
                entry.Write(writer);
                lastWrite = entry.LastWrite;
            }

            writer.Flush();
            changes.Add(new SubjectChange(subject, buffer.ToArray(), lastWrite));
        }

        return changes;
    }

    /// <summary>Marks subjects as changed again, e.g. after a snapshot of them failed to reach the disk.</summary>
    public void MarkChanged(IEnumerable<ReputationSubject> subjects)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        foreach (var subject in subjects)
        {
            Changed(subject);
        }
    }

    /// <summary>Loads a subject's persisted state (from <see cref="TakeChanges"/>), e.g. at start. A state whose last
    /// write is older than the retention is ignored.</summary>
    public void Restore(ReputationSubject subject, ReadOnlySpan<byte> state)
    {
        var entry = SubjectEntry.Deserialize(state);
        if (entry.LastWrite >= _time.GetUtcNow() - ReputationWindows.Retention && _subjects.TryAdd(subject, entry))
        {
            Added();
        }
    }

    // A new entry starts written at its first use, so an eviction it triggers does not take it as the oldest.
    private SubjectEntry Entry(ReputationSubject subject, DateTimeOffset at)
    {
        while (true)
        {
            if (_subjects.TryGetValue(subject, out var entry))
            {
                return entry;
            }

            var created = new SubjectEntry { LastWrite = at };
            if (_subjects.TryAdd(subject, created))
            {
                Added();
                return created;
            }
        }
    }

    private void Added()
    {
        if (Interlocked.Increment(ref _count) > _maxSubjects.Value)
        {
            Evict();
        }
    }

    private bool Remove(ReputationSubject subject)
    {
        if (!_subjects.TryRemove(subject, out _))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>
    /// Brings the store back to nine tenths of its cap by removing the least recently written subjects: one pass reads
    /// every subject's last write, a sorted sample of them gives the time below which the excess lies, and a second
    /// pass removes up to the excess below it. One caller runs it; the others go on. Removed subjects are marked
    /// changed, so their copies on disk go too.
    /// </summary>
    private void Evict()
    {
        if (Interlocked.CompareExchange(ref _evicting, 1, 0) != 0)
        {
            return;
        }

        try
        {
            var max = _maxSubjects.Value;
            var excess = Volatile.Read(ref _count) - (max - (max / 10));
            if (excess <= 0)
            {
                return;
            }

            const int SampleSize = 8_192;
            var step = Math.Max(1, Volatile.Read(ref _count) / SampleSize);
            var sample = new List<long>(SampleSize + 1);
            var seen = 0;
            foreach (var (_, entry) in _subjects)
            {
                if (seen++ % step == 0)
                {
                    sample.Add(entry.LastWriteTicks);
                }
            }

            sample.Sort();
            var fraction = Math.Min(1.0, excess / (double)Math.Max(1, seen));
            var threshold = sample[Math.Min(sample.Count - 1, (int)Math.Ceiling(fraction * sample.Count))];
            long evicted = 0;
            foreach (var (subject, entry) in _subjects)
            {
                if (evicted >= excess)
                {
                    break;
                }

                if (entry.LastWriteTicks <= threshold && Remove(subject))
                {
                    Changed(subject);
                    evicted++;
                }
            }

            _metrics?.ReputationSubjectsEvicted(evicted);
        }
        finally
        {
            Volatile.Write(ref _evicting, 0);
        }
    }

    private void Changed(ReputationSubject subject) => _changed?.TryAdd(subject, 0);

    // Callers pass a handful of subjects; a distinct pass without LINQ keeps the check path from allocating for it.
    private static IEnumerable<ReputationSubject> Distinct(IReadOnlyList<ReputationSubject> subjects)
    {
        for (var i = 0; i < subjects.Count; i++)
        {
            var seen = false;
            for (var j = 0; j < i && !seen; j++)
            {
                seen = subjects[j] == subjects[i];
            }

            if (!seen)
            {
                yield return subjects[i];
            }
        }
    }

    private void Wrote()
    {
        if (Interlocked.Increment(ref _writes) % SweepEvery == 0)
        {
            var cutoff = _time.GetUtcNow() - ReputationWindows.Retention;
            foreach (var (subject, entry) in _subjects)
            {
                if (entry.LastWrite < cutoff && Remove(subject))
                {
                    Changed(subject);
                }
            }
        }
    }

    /// <summary>One subject; guarded by locking the instance (a thin lock in its header: no lock object per subject).</summary>
    private sealed class SubjectEntry
    {
        private const byte FormatVersion = 1;
        private const int MaxString = 256;

        /// <summary>Checks and model verdicts of every site.</summary>
        public BucketCounts Activity { get; private init; } = new();

        /// <summary>Each reporting site's own reports, by <see cref="ReportingSites.Id"/>; null until one reports.</summary>
        private Dictionary<string, SiteReports>? _sites;

        /// <summary>Per label, the most recent reporting sites and their latest report; null until one reports.</summary>
        private Dictionary<string, DateTimeOffset>[]? _reporters;

        private long _lastWriteTicks;

        /// <summary>UTC ticks of the last write; read without the lock by eviction (a long is read whole).</summary>
        public long LastWriteTicks => Volatile.Read(ref _lastWriteTicks);

        public DateTimeOffset LastWrite
        {
            get => new(LastWriteTicks, TimeSpan.Zero);
            init => _lastWriteTicks = value.UtcTicks;
        }

        public void Touch(DateTimeOffset at)
        {
            if (at.UtcTicks > _lastWriteTicks)
            {
                Volatile.Write(ref _lastWriteTicks, at.UtcTicks);
            }
        }

        public SubjectReputation Read(ReputationSubject subject, string reader, DateTimeOffset now)
        {
            var counts = new WindowCounts();
            Activity.SumInto(counts, now);
            if (_sites is not null && _sites.TryGetValue(reader, out var own))
            {
                own.Counts.SumInto(counts, now);
            }

            if (_reporters is null)
            {
                return new SubjectReputation(subject, counts);
            }

            var others = new List<SiteReport>();
            foreach (var label in (ReadOnlySpan<ReportLabel>)[ReportLabel.Spam, ReportLabel.Ham])
            {
                foreach (var (reporter, at) in _reporters[(int)label])
                {
                    if (reporter != reader && at > now - ReputationWindows.Retention)
                    {
                        others.Add(new SiteReport(reporter, label, at));
                    }
                }
            }

            return new SubjectReputation(subject, counts) { OtherSites = others };
        }

        public void Report(string reporter, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, string entryId)
        {
            _sites ??= new(StringComparer.Ordinal);
            _reporters ??= [new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
            if (!_sites.TryGetValue(reporter, out var own))
            {
                _sites[reporter] = own = new SiteReports();
            }

            if (!own.Applied.TryAdd(entryId, at))
            {
                return;
            }

            own.Counts.Add(label.Counter(), at, 1);
            Admit(_reporters[(int)label], reporter, at);
            if (replaces is not null)
            {
                own.Counts.Add(replaces.Label.Counter(), replaces.At, -1);
                if (own.Counts.Sum(replaces.Label.Counter(), ReputationWindow.Last30Days, at) <= 0)
                {
                    _reporters[(int)replaces.Label].Remove(reporter);
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
            // Most subjects are never reported: a check of one then looks at nothing else.
            if (_sites is null)
            {
                return;
            }

            var oldest = now - ReputationWindows.Retention;
            foreach (var (site, own) in _sites.ToList())
            {
                own.Counts.DropExpired(now);
                foreach (var entry in own.Applied.Where(a => a.Value <= oldest).Select(a => a.Key).ToList())
                {
                    own.Applied.Remove(entry);
                }

                if (own.Applied.Count == 0 && own.Counts.Count == 0)
                {
                    _sites.Remove(site);
                }
            }

            foreach (var reporters in _reporters!)
            {
                foreach (var gone in reporters.Where(r => r.Value <= oldest).Select(r => r.Key).ToList())
                {
                    reporters.Remove(gone);
                }
            }
        }

        public void Write(BinaryWriter writer)
        {
            writer.Write(FormatVersion);
            writer.Write(LastWrite.ToUnixTimeMilliseconds());
            Activity.Write(writer);
            writer.Write(_sites?.Count ?? 0);
            if (_sites is not null)
            {
                foreach (var (site, own) in _sites)
                {
                    writer.Write(site);
                    own.Counts.Write(writer);
                    Write(writer, own.Applied);
                }
            }

            for (var label = 0; label < 2; label++)
            {
                if (_reporters is null)
                {
                    writer.Write(0);
                }
                else
                {
                    Write(writer, _reporters[label]);
                }
            }
        }

        public static SubjectEntry Deserialize(ReadOnlySpan<byte> state)
        {
            using var buffer = new MemoryStream(state.ToArray(), writable: false);
            using var reader = new BinaryReader(buffer);
            var version = reader.ReadByte();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"A reputation entry of format {version}; this release reads {FormatVersion}.");
            }

            var lastWrite = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
            var entry = new SubjectEntry { Activity = BucketCounts.Read(reader), LastWrite = lastWrite };
            var sites = Length(reader);
            if (sites > 0)
            {
                entry._sites = new(sites, StringComparer.Ordinal);
                for (var i = 0; i < sites; i++)
                {
                    var site = reader.ReadString();
                    var own = new SiteReports(BucketCounts.Read(reader));
                    foreach (var (id, at) in ReadTimes(reader))
                    {
                        own.Applied[id] = at;
                    }

                    entry._sites[site] = own;
                }
            }

            var spam = ReadTimes(reader);
            var ham = ReadTimes(reader);
            if (entry._sites is not null || spam.Count > 0 || ham.Count > 0)
            {
                entry._sites ??= new(StringComparer.Ordinal);
                entry._reporters = [spam, ham];
            }

            return entry;
        }

        private static void Write(BinaryWriter writer, Dictionary<string, DateTimeOffset> times)
        {
            writer.Write(times.Count);
            foreach (var (id, at) in times)
            {
                writer.Write(id);
                writer.Write(at.ToUnixTimeMilliseconds());
            }
        }

        private static Dictionary<string, DateTimeOffset> ReadTimes(BinaryReader reader)
        {
            var count = Length(reader);
            var times = new Dictionary<string, DateTimeOffset>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var id = reader.ReadString();
                if (id.Length > MaxString)
                {
                    throw new InvalidDataException("A reputation entry holds an id longer than any this store writes.");
                }

                times[id] = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
            }

            return times;
        }

        private static int Length(BinaryReader reader)
        {
            var count = reader.ReadInt32();
            return count is >= 0 and <= 1_000_000 ? count : throw new InvalidDataException($"A reputation entry claims {count} items.");
        }
    }

    private sealed class SiteReports(BucketCounts counts)
    {
        public SiteReports()
            : this(new BucketCounts())
        {
        }

        public BucketCounts Counts { get; } = counts;

        /// <summary>Reports already counted here, by entry id, with their time: kept as long as their counts matter.</summary>
        public Dictionary<string, DateTimeOffset> Applied { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>A subject changed in an <see cref="InProcessReputationStore"/>: its serialized state, or null when gone.</summary>
public readonly record struct SubjectChange(ReputationSubject Subject, byte[]? State, DateTimeOffset LastWrite);
