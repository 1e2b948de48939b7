using SpamGuard.Core.Reputation;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// Reputation in Redis, shared by every node: one hash per subject ("spamguard:rep:&lt;kind&gt;:&lt;pseudonym&gt;") whose
/// fields are the <see cref="ReputationWindows"/> buckets, with a TTL of the longest window on every write. Every
/// command touches one key, so the design works unchanged on Redis Cluster; all the commands of one check are sent as
/// one pipelined batch (one round trip per node). Calls go through the <see cref="RedisCallGuard"/>: when Redis is
/// slow or down they fail with <see cref="RedisUnavailableException"/> and the caller scores without reputation.
/// </summary>
public sealed class RedisReputationStore(IConnectionMultiplexer redis, RedisCallGuard guard) : IReputationStore
{
    // Takes a report back without going below zero: HINCRBY alone would leave negative counts.
    private const string DecrementToZero = """
        for i, field in ipairs(ARGV) do
          if redis.call('HINCRBY', KEYS[1], field, -1) <= 0 then redis.call('HDEL', KEYS[1], field) end
        end
        return 0
        """;

    private const string ReadAndCount = """
        local counts = redis.call('HGETALL', KEYS[1])
        for i = 2, #ARGV do redis.call('HINCRBY', KEYS[1], ARGV[i], 1) end
        redis.call('EXPIRE', KEYS[1], ARGV[1])
        return counts
        """;

    public async Task<IReadOnlyList<SubjectReputation>> RecordCheckAsync(
        IReadOnlyList<ReputationSubject> subjects, bool modelSaysSpam, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var distinct = subjects.Distinct().ToList();
        var fields = FieldsToIncrement(ReputationCounter.Checks, at);
        if (modelSaysSpam)
        {
            fields = [.. fields, .. FieldsToIncrement(ReputationCounter.SpamVerdicts, at)];
        }

        RedisValue[] arguments = [(long)ReputationWindows.Retention.TotalSeconds, .. fields];
        var reads = await guard.RunAsync(async () =>
        {
            var batch = redis.GetDatabase().CreateBatch();
            // One script per subject: it reads the counts from before this check, counts it and renews the TTL in one
            // command on one key (Cluster-safe), instead of a read, several increments and an EXPIRE each.
            var readTasks = distinct.Select(subject => batch.ScriptEvaluateAsync(ReadAndCount, [Key(subject)], arguments)).ToList();
            batch.Execute();
            await Task.WhenAll(readTasks);
            return readTasks.Select(t => ToEntries(t.Result)).ToList();
        }, cancellationToken);

        var result = new List<SubjectReputation>(distinct.Count);
        for (var i = 0; i < distinct.Count; i++)
        {
            var buckets = reads[i].ToDictionary(e => (string)e.Name!, e => (long)e.Value, StringComparer.Ordinal);
            DropExpired(distinct[i], buckets, at);
            result.Add(new SubjectReputation(distinct[i], buckets));
        }

        return result;
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

        return [.. distinct.Select((subject, i) => new SubjectReputation(subject,
            reads[i].Where(e => !ReputationWindows.IsExpired(e.Name!, at)).ToDictionary(e => (string)e.Name!, e => (long)e.Value, StringComparer.Ordinal)))];
    }

    public Task RecordReportAsync(
        IReadOnlyList<ReputationSubject> subjects, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var distinct = subjects.Distinct().ToList();
        return guard.RunAsync(async () =>
        {
            var batch = redis.GetDatabase().CreateBatch();
            var pending = new List<Task>();
            foreach (var subject in distinct)
            {
                var key = Key(subject);
                pending.AddRange(Increment(batch, key, label.Counter(), at, 1));
                if (replaces is not null)
                {
                    var fields = ReputationWindows.FieldsToIncrement(replaces.Label.Counter(), replaces.At)
                        .Select(f => (RedisValue)f).ToArray();
                    pending.Add(batch.ScriptEvaluateAsync(DecrementToZero, [key], fields));
                }

                pending.Add(batch.KeyExpireAsync(key, ReputationWindows.Retention));
            }

            batch.Execute();
            await Task.WhenAll(pending);
            return true;
        }, cancellationToken);
    }

    private static RedisValue[] FieldsToIncrement(ReputationCounter counter, DateTimeOffset at) =>
        [.. ReputationWindows.FieldsToIncrement(counter, at).Select(f => (RedisValue)f)];

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

    private static List<Task> Increment(IBatch batch, RedisKey key, ReputationCounter counter, DateTimeOffset at, long delta) =>
        ReputationWindows.FieldsToIncrement(counter, at).Select(field => (Task)batch.HashIncrementAsync(key, field, delta)).ToList();

    // Buckets older than every window are not counted (ReputationWindows ignores them) and are deleted in the
    // background so a long-lived subject's hash stays small.
    private void DropExpired(ReputationSubject subject, Dictionary<string, long> buckets, DateTimeOffset now)
    {
        var expired = buckets.Keys.Where(f => ReputationWindows.IsExpired(f, now)).ToList();
        if (expired.Count == 0)
        {
            return;
        }

        foreach (var field in expired)
        {
            buckets.Remove(field);
        }

        redis.GetDatabase().HashDelete(Key(subject), [.. expired.Select(f => (RedisValue)f)], CommandFlags.FireAndForget);
    }
}
