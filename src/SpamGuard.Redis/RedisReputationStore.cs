using SpamGuard.Core.Reputation;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// Reputation in Redis, shared by every node: one hash per subject ("spamguard:rep:&lt;kind&gt;:&lt;pseudonym&gt;") whose
/// fields are the <see cref="ReputationWindows"/> buckets (checks and spam verdicts packed, see
/// <see cref="ActivityCounts"/>) and the reports it has counted (see <see cref="ReportClaims"/>), with a TTL that
/// outlasts the longest window. A check is one script per hash slot in
/// one pipelined batch: on a single Redis, one command and one round trip for all the subjects; on Redis Cluster,
/// never a script across slots (one round trip per node). Calls go through the <see cref="RedisCallGuard"/>: when
/// Redis is slow or down they fail with <see cref="RedisUnavailableException"/> and the caller scores without
/// reputation.
/// </summary>
public sealed class RedisReputationStore(IConnectionMultiplexer redis, RedisCallGuard guard) : IReputationStore
{
    private const int Unknown = 0, Standalone = 1, Cluster = 2;
    private int _topology;

    // One report for one subject, once per entry id: the claim field (ReportClaims) is set only if absent, and only
    // then are the counts changed, so a replayed report whose first reply was lost is not counted twice. A replaced
    // report is taken back without going below zero (HINCRBY alone would leave negative counts). ARGV: TTL seconds,
    // claim field, claim day, number of fields to count, those fields, then the replaced report's fields.
    private const string CountReportOnce = """
        if redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3]) == 0 then return 0 end
        local n = tonumber(ARGV[4])
        for i = 5, 4 + n do redis.call('HINCRBY', KEYS[1], ARGV[i], 1) end
        for i = 5 + n, #ARGV do
          if redis.call('HINCRBY', KEYS[1], ARGV[i], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[i]) end
        end
        redis.call('EXPIRE', KEYS[1], ARGV[1])
        return 1
        """;

    // For every key: read the counts from before this check, then count it. A check is one HINCRBY per window
    // (ActivityCounts packs the check and its spam verdict into one number), and the TTL is renewed only when the
    // check opens a new 5-minute bucket: a key written at least every 5 minutes keeps a TTL within 5 minutes of the
    // retention, which still outlasts every window. The caller passes only keys of one hash slot, so the script is
    // valid on Redis Cluster too. ARGV: TTL seconds, delta, then the fields, 5-minute bucket first.
    private const string ReadAndCount = """
        local out = {}
        local delta = tonumber(ARGV[2])
        for k = 1, #KEYS do
          out[k] = redis.call('HGETALL', KEYS[k])
          if redis.call('HINCRBY', KEYS[k], ARGV[3], delta) == delta then redis.call('EXPIRE', KEYS[k], ARGV[1]) end
          for i = 4, #ARGV do redis.call('HINCRBY', KEYS[k], ARGV[i], delta) end
        end
        return out
        """;

    public async Task<IReadOnlyList<SubjectReputation>> RecordCheckAsync(
        IReadOnlyList<ReputationSubject> subjects, bool modelSaysSpam, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var distinct = subjects.Distinct().ToList();
        RedisValue[] arguments = [(long)ReputationWindows.Retention.TotalSeconds, ActivityCounts.Delta(modelSaysSpam), .. ActivityCounts.Fields(at)];
        var groups = SlotGroups(distinct);
        var reads = await guard.RunAsync(async () =>
        {
            var batch = redis.GetDatabase().CreateBatch();
            // One script per hash slot: on a single Redis that is one command for the whole check; on a Cluster the
            // subjects spread over slots, and each slot's script still runs on one node.
            var scripts = groups.Select(group => batch.ScriptEvaluateAsync(ReadAndCount, [.. group.Select(i => Key(distinct[i]))], arguments)).ToList();
            batch.Execute();
            await Task.WhenAll(scripts);
            var entries = new HashEntry[distinct.Count][];
            for (var g = 0; g < groups.Count; g++)
            {
                var perKey = (RedisResult[])scripts[g].Result!;
                for (var k = 0; k < groups[g].Count; k++)
                {
                    entries[groups[g][k]] = ToEntries(perKey[k]);
                }
            }

            return entries;
        }, cancellationToken);

        return [.. distinct.Select((subject, i) => Reputation(subject, reads[i], at, deleteExpired: true))];
    }

    public async Task<IReadOnlyList<SubjectReputation>> ReadAsync(IReadOnlyList<ReputationSubject> subjects, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var distinct = subjects.Distinct().ToList();
        var reads = await guard.RunAsync(async () =>
        {
            var batch = redis.GetDatabase().CreateBatch();
            var readTasks = distinct.Select(s => batch.HashGetAllAsync(Key(s))).ToList();
            batch.Execute();
            return await Task.WhenAll(readTasks);
        }, cancellationToken);

        // A test call stores nothing, not even housekeeping: expired buckets are left for the next real check.
        return [.. distinct.Select((subject, i) => Reputation(subject, reads[i], at, deleteExpired: false))];
    }

    /// <summary>An administrative call (erasure): see <see cref="RedisCallGuard.RunAdministrativeAsync"/>.</summary>
    public Task<long> EraseAsync(IReadOnlyList<ReputationSubject> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        return RedisCallGuard.RunAdministrativeAsync(async () =>
        {
            // One DEL per key: keys of different subjects live in different Cluster slots.
            var batch = redis.GetDatabase().CreateBatch();
            var deletes = subjects.Distinct().Select(s => batch.KeyDeleteAsync(Key(s))).ToList();
            batch.Execute();
            return (await Task.WhenAll(deletes)).LongCount(deleted => deleted);
        }, cancellationToken);
    }

    public Task RecordReportAsync(
        IReadOnlyList<ReputationSubject> subjects, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, string entryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        ArgumentException.ThrowIfNullOrEmpty(entryId);
        var counted = ReputationWindows.FieldsToIncrement(label.Counter(), at).Select(f => (RedisValue)f).ToList();
        IEnumerable<RedisValue> takenBack = replaces is null ? [] : ReputationWindows.FieldsToIncrement(replaces.Label.Counter(), replaces.At).Select(f => (RedisValue)f);
        RedisValue[] arguments =
        [
            (long)ReputationWindows.Retention.TotalSeconds, ReportClaims.Field(entryId), ReportClaims.Day(at), counted.Count, .. counted, .. takenBack,
        ];
        var distinct = subjects.Distinct().ToList();
        return guard.RunAsync(async () =>
        {
            // One script per subject: its claim and counts live in its own key, so this is valid on Redis Cluster.
            var batch = redis.GetDatabase().CreateBatch();
            var pending = distinct.Select(subject => batch.ScriptEvaluateAsync(CountReportOnce, [Key(subject)], arguments)).ToList();
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

    // Buckets older than every window are not counted (ReputationWindows ignores them) and, after a check, deleted in
    // the background so a long-lived subject's hash stays small.
    private SubjectReputation Reputation(ReputationSubject subject, HashEntry[] stored, DateTimeOffset now, bool deleteExpired)
    {
        var buckets = new Dictionary<string, long>(stored.Length * 2, StringComparer.Ordinal);
        List<RedisValue>? expired = null;
        foreach (var entry in stored)
        {
            var field = (string)entry.Name!;
            if (ReportClaims.IsClaim(field))
            {
                if (ReportClaims.IsExpired((long)entry.Value, now))
                {
                    (expired ??= []).Add(entry.Name);
                }
            }
            else if (ReputationWindows.IsExpired(field, now))
            {
                (expired ??= []).Add(entry.Name);
            }
            else
            {
                ActivityCounts.AddTo(buckets, field, (long)entry.Value);
            }
        }

        if (expired is not null && deleteExpired)
        {
            redis.GetDatabase().HashDelete(Key(subject), [.. expired], CommandFlags.FireAndForget);
        }

        return new SubjectReputation(subject, buckets);
    }
}
