using SpamGuard.Core.Reputation;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// Reputation in Redis, shared by every node. Per subject, one hash ("spamguard:rep:&lt;kind&gt;:&lt;pseudonym&gt;") holds
/// the <see cref="ReputationWindows"/> buckets of every site's checks and spam verdicts (packed, see
/// <see cref="ActivityCounts"/>) and, per label, the most recent <see cref="ReportingSites.MaxPerLabel"/> reporting
/// sites ("rs:&lt;site id&gt;" / "rh:&lt;site id&gt;" → unix time of that site's latest report). Each reporting site's own
/// report buckets, with the reports it has counted (<see cref="ReportClaims"/>), are in a hash of their own,
/// "{&lt;subject key&gt;}:site:&lt;site id&gt;": its hash tag is the whole subject key, so on Redis Cluster it lives in the
/// subject's slot and one script may use both. Every key has a TTL that outlasts the longest window. A check is one
/// script per hash slot in one pipelined batch: on a single Redis, one command and one round trip for all the
/// subjects; on Redis Cluster, never a script across slots (one round trip per node). Calls go through the
/// <see cref="RedisCallGuard"/>: when Redis is slow or down they fail with <see cref="RedisUnavailableException"/>
/// and the caller scores without reputation.
/// </summary>
public sealed class RedisReputationStore(IConnectionMultiplexer redis, RedisCallGuard guard) : IReputationStore
{
    private const int Unknown = 0, Standalone = 1, Cluster = 2;
    private const string SpamReporters = "rs:", HamReporters = "rh:", Overflowed = "ro";
    private int _topology;

    // One report by one site for one subject, once per entry id. KEYS[1]: the subject's hash, KEYS[2]: the site's
    // hash for it (same slot). The claim (ReportClaims) is set only if absent, and only then are the site's counts
    // changed, so a replayed report whose first reply was lost is not counted twice. A replaced report is taken back
    // without going below zero (HINCRBY alone would leave negative counts). The site then becomes (or stays) one of
    // the subject's reporters of the label: when the label already has ARGV[6] of them, the one whose last report is
    // oldest makes room, and "ro" notes that site hashes exist beyond the list (erasure then looks for them). The site
    // leaves the replaced label's reporters once none of its day buckets of that label in the last 30 days is left.
    // ARGV: TTL, claim field, claim day, reporter field, time, cap, reporter prefix, replaced reporter field or '',
    // replaced label's day-field prefix, today's day bucket, number of fields to count, those fields, then the
    // replaced report's fields.
    private const string CountReportOnce = """
        if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3]) == 0 then return 0 end
        local n = tonumber(ARGV[11])
        for i = 12, 11 + n do redis.call('HINCRBY', KEYS[2], ARGV[i], 1) end
        for i = 12 + n, #ARGV do
          if redis.call('HINCRBY', KEYS[2], ARGV[i], -1) <= 0 then redis.call('HDEL', KEYS[2], ARGV[i]) end
        end
        redis.call('EXPIRE', KEYS[2], ARGV[1])
        local at = tonumber(ARGV[5])
        local seen = redis.call('HGET', KEYS[1], ARGV[4])
        if seen then
          if tonumber(seen) < at then redis.call('HSET', KEYS[1], ARGV[4], at) end
        else
          local prefix = ARGV[7]
          local all = redis.call('HGETALL', KEYS[1])
          local count, oldest, oldestAt = 0, nil, nil
          for i = 1, #all, 2 do
            if string.sub(all[i], 1, #prefix) == prefix then
              count = count + 1
              local t = tonumber(all[i + 1])
              if oldestAt == nil or t < oldestAt then oldest, oldestAt = all[i], t end
            end
          end
          if count < tonumber(ARGV[6]) then
            redis.call('HSET', KEYS[1], ARGV[4], at)
          else
            redis.call('HSET', KEYS[1], 'ro', 1)
            if oldestAt < at then
              redis.call('HDEL', KEYS[1], oldest)
              redis.call('HSET', KEYS[1], ARGV[4], at)
            end
          end
        end
        if ARGV[8] ~= '' then
          local left, today = 0, tonumber(ARGV[10])
          for d = 0, 29 do left = left + (tonumber(redis.call('HGET', KEYS[2], ARGV[9] .. (today - d))) or 0) end
          if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[8]) end
        end
        redis.call('EXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    // For every subject: read its hash and the checking site's hash from before this check, then count it. A check
    // is one HINCRBY per window (ActivityCounts packs the check and its spam verdict into one number), and the TTL is
    // renewed only when the check opens a new 5-minute bucket: a key written at least every 5 minutes keeps a TTL
    // within 5 minutes of the retention, which still outlasts every window. KEYS: the subjects' hashes, then the
    // site's hash of each, in the same order; the caller passes only keys of one hash slot, so the script is valid on
    // Redis Cluster too. ARGV: TTL seconds, delta, then the fields, 5-minute bucket first.
    private const string ReadAndCount = """
        local out = {}
        local delta = tonumber(ARGV[2])
        local n = #KEYS / 2
        for k = 1, n do
          out[k] = {redis.call('HGETALL', KEYS[k]), redis.call('HGETALL', KEYS[n + k])}
          if redis.call('HINCRBY', KEYS[k], ARGV[3], delta) == delta then redis.call('EXPIRE', KEYS[k], ARGV[1]) end
          for i = 4, #ARGV do redis.call('HINCRBY', KEYS[k], ARGV[i], delta) end
        end
        return out
        """;

    public async Task<IReadOnlyList<SubjectReputation>> RecordCheckAsync(
        IReadOnlyList<ReputationSubject> subjects, string site, bool modelSaysSpam, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var reader = ReportingSites.Id(site);
        var distinct = subjects.Distinct().ToList();
        RedisValue[] arguments = [(long)ReputationWindows.Retention.TotalSeconds, ActivityCounts.Delta(modelSaysSpam), .. ActivityCounts.Fields(at)];
        var groups = SlotGroups(distinct);
        var reads = await guard.RunAsync(async () =>
        {
            var batch = redis.GetDatabase().CreateBatch();
            // One script per hash slot: on a single Redis that is one command for the whole check; on a Cluster the
            // subjects spread over slots, and each slot's script still runs on one node.
            var scripts = groups.Select(group => batch.ScriptEvaluateAsync(ReadAndCount,
                [.. group.Select(i => Key(distinct[i])), .. group.Select(i => SiteKey(distinct[i], reader))], arguments)).ToList();
            batch.Execute();
            await Task.WhenAll(scripts);
            var entries = new (HashEntry[] Subject, HashEntry[] Site)[distinct.Count];
            for (var g = 0; g < groups.Count; g++)
            {
                var perKey = (RedisResult[])scripts[g].Result!;
                for (var k = 0; k < groups[g].Count; k++)
                {
                    var pair = (RedisResult[])perKey[k]!;
                    entries[groups[g][k]] = (ToEntries(pair[0]), ToEntries(pair[1]));
                }
            }

            return entries;
        }, cancellationToken);

        return [.. distinct.Select((subject, i) => Reputation(subject, reader, reads[i].Subject, reads[i].Site, at, deleteExpired: true))];
    }

    public async Task<IReadOnlyList<SubjectReputation>> ReadAsync(IReadOnlyList<ReputationSubject> subjects, string site, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var reader = ReportingSites.Id(site);
        var distinct = subjects.Distinct().ToList();
        var reads = await guard.RunAsync(async () =>
        {
            var batch = redis.GetDatabase().CreateBatch();
            var subjectReads = distinct.Select(s => batch.HashGetAllAsync(Key(s))).ToList();
            var siteReads = distinct.Select(s => batch.HashGetAllAsync(SiteKey(s, reader))).ToList();
            batch.Execute();
            return (Subjects: await Task.WhenAll(subjectReads), Sites: await Task.WhenAll(siteReads));
        }, cancellationToken);

        // A test call stores nothing, not even housekeeping: expired buckets are left for the next real check.
        return [.. distinct.Select((subject, i) => Reputation(subject, reader, reads.Subjects[i], reads.Sites[i], at, deleteExpired: false))];
    }

    /// <summary>An administrative call (erasure): see <see cref="RedisCallGuard.RunAdministrativeAsync"/>. Deletes each
    /// subject's hash and its sites' hashes: those its reporter lists name, and, when sites were pushed off a list,
    /// those a SCAN of the subject's hash tag finds.</summary>
    public Task<long> EraseAsync(IReadOnlyList<ReputationSubject> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        return RedisCallGuard.RunAdministrativeAsync(async () =>
        {
            var database = redis.GetDatabase();
            long erased = 0;
            foreach (var subject in subjects.Distinct())
            {
                var fields = await database.HashKeysAsync(Key(subject));
                var keys = new HashSet<RedisKey>();
                foreach (var field in fields.Select(f => (string)f!))
                {
                    if (field.StartsWith(SpamReporters, StringComparison.Ordinal) || field.StartsWith(HamReporters, StringComparison.Ordinal))
                    {
                        keys.Add(SiteKey(subject, field[SpamReporters.Length..]));
                    }
                }

                if (fields.Contains(Overflowed))
                {
                    foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
                    {
                        await foreach (var key in server.KeysAsync(database.Database, SiteKeyPrefix(subject) + "*", pageSize: 1000))
                        {
                            keys.Add(key);
                        }
                    }
                }

                // One DEL per key: a subject's keys share its slot, but one DEL of many keys is still refused by some
                // proxies, and erasure is rare.
                var batch = database.CreateBatch();
                var deleted = batch.KeyDeleteAsync(Key(subject));
                var others = keys.Select(key => batch.KeyDeleteAsync(key)).ToList();
                batch.Execute();
                await Task.WhenAll(others);
                erased += await deleted ? 1 : 0;
            }

            return erased;
        }, cancellationToken);
    }

    public Task RecordReportAsync(
        IReadOnlyList<ReputationSubject> subjects, string site, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, string entryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        ArgumentException.ThrowIfNullOrEmpty(entryId);
        var reporter = ReportingSites.Id(site);
        var counted = ReputationWindows.FieldsToIncrement(label.Counter(), at).Select(f => (RedisValue)f).ToList();
        IEnumerable<RedisValue> takenBack = replaces is null ? [] : ReputationWindows.FieldsToIncrement(replaces.Label.Counter(), replaces.At).Select(f => (RedisValue)f);
        RedisValue[] arguments =
        [
            (long)ReputationWindows.Retention.TotalSeconds, ReportClaims.Field(entryId), ReportClaims.Day(at),
            ReporterPrefix(label) + reporter, at.ToUnixTimeSeconds(), ReportingSites.MaxPerLabel, ReporterPrefix(label),
            replaces is null ? "" : ReporterPrefix(replaces.Label) + reporter,
            replaces is null ? "" : ReputationWindows.Prefix(replaces.Label.Counter()) + ":d:",
            ReportClaims.Day(at), counted.Count, .. counted, .. takenBack,
        ];
        var distinct = subjects.Distinct().ToList();
        return guard.RunAsync(async () =>
        {
            // One script per subject: its keys share the subject's slot, so this is valid on Redis Cluster.
            var batch = redis.GetDatabase().CreateBatch();
            var pending = distinct.Select(subject => batch.ScriptEvaluateAsync(CountReportOnce, [Key(subject), SiteKey(subject, reporter)], arguments)).ToList();
            batch.Execute();
            await Task.WhenAll(pending);
            return true;
        }, cancellationToken);
    }

    /// <summary>Indexes of <paramref name="subjects"/> grouped so that each group's keys share a hash slot; one group
    /// when the server is not a Cluster.</summary>
    private List<List<int>> SlotGroups(List<ReputationSubject> subjects)
    {
        if (!IsCluster())
        {
            return [[.. Enumerable.Range(0, subjects.Count)]];
        }

        return [.. Enumerable.Range(0, subjects.Count).GroupBy(i => redis.HashSlot(Key(subjects[i]))).Select(g => g.ToList())];
    }

    private bool IsCluster()
    {
        var known = Volatile.Read(ref _topology);
        if (known != Unknown)
        {
            return known == Cluster;
        }

        // Decided once the client has met a server; until then, per-slot groups are always safe.
        var servers = redis.GetServers();
        if (servers.Length == 0 || !servers.Any(s => s.IsConnected))
        {
            return true;
        }

        var cluster = servers.Any(s => s.ServerType == ServerType.Cluster);
        Volatile.Write(ref _topology, cluster ? Cluster : Standalone);
        return cluster;
    }

    // HGETALL's reply inside a script: field, value, field, value, …
    private static HashEntry[] ToEntries(RedisResult result)
    {
        var flat = (RedisResult[])result!;
        var entries = new HashEntry[flat.Length / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new HashEntry((string)flat[2 * i]!, (long)flat[(2 * i) + 1]);
        }

        return entries;
    }

    internal static RedisKey Key(ReputationSubject subject) => $"spamguard:rep:{subject.Kind.ToString().ToLowerInvariant()}:{subject.Pseudonym}";

    /// <summary>The hash of one reporting site's reports of <paramref name="subject"/>: tagged with the whole subject
    /// key, so both hash to the subject's slot (pseudonyms and site ids never hold braces).</summary>
    internal static RedisKey SiteKey(ReputationSubject subject, string reporter) => (RedisKey)(SiteKeyPrefix(subject) + reporter);

    private static string SiteKeyPrefix(ReputationSubject subject) => "{" + (string)Key(subject)! + "}:site:";

    private static string ReporterPrefix(ReportLabel label) => label == ReportLabel.Spam ? SpamReporters : HamReporters;

    // Buckets older than every window are not counted (ReputationWindows ignores them) and, after a check, deleted in
    // the background so a long-lived subject's hashes stay small. Report fields left in a subject's hash by the
    // version that counted reports for every site at once are not read: nobody can tell which site sent them.
    private SubjectReputation Reputation(
        ReputationSubject subject, string reader, HashEntry[] stored, HashEntry[] own, DateTimeOffset now, bool deleteExpired)
    {
        var counts = new WindowCounts();
        var others = new List<SiteReport>();
        List<RedisValue>? expired = null;
        var oldest = (now - ReputationWindows.Retention).ToUnixTimeSeconds();
        foreach (var entry in stored)
        {
            var field = (string)entry.Name!;
            var spam = field.StartsWith(SpamReporters, StringComparison.Ordinal);
            if (spam || field.StartsWith(HamReporters, StringComparison.Ordinal))
            {
                var at = (long)entry.Value;
                if (at <= oldest)
                {
                    (expired ??= []).Add(entry.Name);
                }
                else if (!field.AsSpan(SpamReporters.Length).SequenceEqual(reader))
                {
                    others.Add(new SiteReport(field[SpamReporters.Length..], spam ? ReportLabel.Spam : ReportLabel.Ham, DateTimeOffset.FromUnixTimeSeconds(at)));
                }
            }
            else if (field == Overflowed)
            {
                continue;
            }
            else if (ReportClaims.IsClaim(field))
            {
                if (ReportClaims.IsExpired((long)entry.Value, now))
                {
                    (expired ??= []).Add(entry.Name);
                }
            }
            else if (!ReputationWindows.TryParseBucket(field, out var prefix, out var window, out var bucket) || ReputationWindows.IsExpired(window, bucket, now))
            {
                (expired ??= []).Add(entry.Name);
            }
            else
            {
                // Each field is parsed once: whether it has expired and what it adds come from the same numbers.
                ActivityCounts.AddTo(counts, prefix, window, bucket, (long)entry.Value, now);
            }
        }

        List<RedisValue>? ownExpired = null;
        foreach (var entry in own)
        {
            var field = (string)entry.Name!;
            if (ReportClaims.IsClaim(field) ? ReportClaims.IsExpired((long)entry.Value, now) : ReputationWindows.IsExpired(field, now))
            {
                (ownExpired ??= []).Add(entry.Name);
            }
            else if (!ReportClaims.IsClaim(field))
            {
                counts.AddField(field, (long)entry.Value, now);
            }
        }

        if (deleteExpired && expired is not null)
        {
            redis.GetDatabase().HashDelete(Key(subject), [.. expired], CommandFlags.FireAndForget);
        }

        if (deleteExpired && ownExpired is not null)
        {
            redis.GetDatabase().HashDelete(SiteKey(subject, reader), [.. ownExpired], CommandFlags.FireAndForget);
        }

        return new SubjectReputation(subject, counts) { OtherSites = others };
    }
}
