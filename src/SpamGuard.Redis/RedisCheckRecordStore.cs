using System.Globalization;
using System.Text.Json;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// Check records in Redis: one hash per check ("spamguard:check:&lt;id&gt;") that expires with the retention window.
/// Reporting is one Lua script on that one key, so "same report again" and "opposite report" are decided atomically
/// even when two nodes receive reports for the same check at once, and the design works on Redis Cluster.
/// </summary>
public sealed class RedisCheckRecordStore(IConnectionMultiplexer redis, RedisCallGuard guard) : ICheckRecordStore
{
    private readonly StoredReceipts _receipts = new(redis, guard);

    private const string Report = """
        local site = redis.call('HGET', KEYS[1], 'site')
        if not site then return {'notfound'} end
        if site ~= ARGV[1] then return {'othersite'} end
        local p = redis.call('HMGET', KEYS[1], 'report_label', 'report_at', 'report_entry', 'replaced_label', 'replaced_at')
        if p[1] == ARGV[2] then return {'repeated', p[1], p[2], p[3] or '', p[4] or '', p[5] or ''} end
        redis.call('HSET', KEYS[1], 'report_label', ARGV[2], 'report_at', ARGV[3], 'report_entry', ARGV[4])
        if p[1] then
          redis.call('HSET', KEYS[1], 'replaced_label', p[1], 'replaced_at', p[2])
          return {'corrected', p[1], p[2], p[3] or '', '', ''}
        end
        redis.call('HDEL', KEYS[1], 'replaced_label', 'replaced_at')
        return {'recorded'}
        """;

    // Only onto a record that exists: a receipt alone would be a record without site or subjects.
    private const string AttachReceiptIfSaved = """
        if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'receipt', ARGV[1]) end
        return 0
        """;

    /// <summary>Fire and forget (see <see cref="ICheckRecordStore.AttachReceipt"/>): the command goes out on the
    /// shared connection behind the record's own write, so this node's later reads see it; it takes no time from the
    /// check and needs no timeout, since nothing waits for it.</summary>
    public void AttachReceipt(string checkId, CheckReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        redis.GetDatabase().ScriptEvaluate(AttachReceiptIfSaved, [Key(checkId)], [_receipts.Compact(receipt)], CommandFlags.FireAndForget);
    }

    public Task SaveAsync(CheckRecord record, TimeSpan keep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        _receipts.Keeping(keep);
        return guard.RunAsync(async () =>
        {
            var key = Key(record.CheckId);
            var batch = redis.GetDatabase().CreateBatch();
            HashEntry[] receipt = record.Receipt is { } r ? [new("receipt", _receipts.Compact(r))] : [];
            var set = batch.HashSetAsync(key,
            [
                .. receipt,
                new("site", record.Site),
                new("checked_at", record.CheckedAt.ToUnixTimeMilliseconds()),
                new("subjects", JsonSerializer.Serialize(record.Subjects.Select(s => new[] { s.Kind.ToString(), s.Pseudonym }))),
                new("content", record.Content),
                new("author_shape", record.AuthorShape),
                new("model_spam", record.ModelSaidSpam ? 1 : 0),
            ]);
            var expire = batch.KeyExpireAsync(key, keep);
            batch.Execute();
            await Task.WhenAll(set, expire);
            return true;
        }, cancellationToken);
    }

    public async Task<CheckRecord?> GetAsync(string checkId, CancellationToken cancellationToken)
    {
        var fields = await guard.RunAsync(() => redis.GetDatabase().HashGetAllAsync(Key(checkId)), cancellationToken);
        var record = Read(checkId, fields, out var receipt);
        return record is null || receipt is null ? record : record with { Receipt = await _receipts.ExpandAsync(receipt, cancellationToken) };
    }

    public async Task<ReportOutcome> ReportAsync(string checkId, string site, ReportLabel label, DateTimeOffset at, string entryId, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var result = (RedisResult[])(await guard.RunAsync(
            () => db.ScriptEvaluateAsync(Report, [Key(checkId)], [site, label.ToString(), at.ToUnixTimeMilliseconds(), entryId]), cancellationToken))!;
        var kind = (string)result[0]!;
        if (kind == "notfound")
        {
            return new ReportOutcome(ReportOutcomeKind.NotFound);
        }

        var record = await GetAsync(checkId, cancellationToken);
        if (record is null)
        {
            // Expired between the two calls.
            return new ReportOutcome(ReportOutcomeKind.NotFound);
        }

        var previous = result.Length >= 6
            ? new CheckReport(
                Enum.Parse<ReportLabel>((string)result[1]!),
                DateTimeOffset.FromUnixTimeMilliseconds((long)result[2]),
                (string)result[3]!,
                ((string)result[4]!).Length == 0 ? null
                    : new CheckReport(Enum.Parse<ReportLabel>((string)result[4]!), DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)result[5]!, CultureInfo.InvariantCulture))))
            : null;
        return kind switch
        {
            "othersite" => new ReportOutcome(ReportOutcomeKind.OtherSite, record),
            "repeated" => new ReportOutcome(ReportOutcomeKind.Repeated, record, previous),
            "corrected" => new ReportOutcome(ReportOutcomeKind.Corrected, record, previous),
            _ => new ReportOutcome(ReportOutcomeKind.Recorded, record),
        };
    }

    /// <summary>
    /// Scans every primary for check records (bounded: records expire after the retention window) and deletes those
    /// naming any of <paramref name="pseudonyms"/>. An administrative call, so it is not held to the per-check
    /// timeout (<see cref="RedisCallGuard.RunAdministrativeAsync"/>).
    /// </summary>
    public Task<long> EraseAsync(IReadOnlySet<string> pseudonyms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pseudonyms);
        return RedisCallGuard.RunAdministrativeAsync(async () =>
        {
            var db = redis.GetDatabase();
            long erased = 0;
            foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
            {
                await foreach (var key in server.KeysAsync(pattern: "spamguard:check:*", pageSize: 500).WithCancellation(cancellationToken))
                {
                    var subjects = (string?)await db.HashGetAsync(key, "subjects");
                    if (subjects is not null
                        && JsonSerializer.Deserialize<string[][]>(subjects)!.Any(s => s.Length == 2 && pseudonyms.Contains(s[1]))
                        && await db.KeyDeleteAsync(key))
                    {
                        erased++;
                    }
                }
            }

            return erased;
        }, cancellationToken);
    }

    internal static RedisKey Key(string checkId) => "spamguard:check:" + checkId;

    private static CheckRecord? Read(string checkId, HashEntry[] fields, out string? receipt)
    {
        receipt = null;
        if (fields.Length == 0)
        {
            return null;
        }

        var map = fields.ToDictionary(f => (string)f.Name!, f => f.Value, StringComparer.Ordinal);
        var subjects = JsonSerializer.Deserialize<string[][]>((string)map["subjects"]!)!
            .Select(s => new ReputationSubject(Enum.Parse<SubjectKind>(s[0]), s[1]))
            .ToList();
        var record = new CheckRecord(
            checkId,
            (string)map["site"]!,
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)map["checked_at"]!, CultureInfo.InvariantCulture)),
            subjects,
            (string)map["content"]!,
            (string)map["author_shape"]!,
            (int)map["model_spam"] == 1);
        receipt = map.TryGetValue("receipt", out var stored) ? (string?)stored : null;
        return record;
    }
}
