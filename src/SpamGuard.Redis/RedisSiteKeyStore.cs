using System.Text.Json;
using SpamGuard.Core.Keys;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// Site keys in Redis, shared by every node: one hash of records by id and one index from key hash to id, under the
/// "{keys}" hash tag so the script that writes both runs on one Cluster node. Keys are configuration, not personal
/// data, so they do not expire. Only hashes are stored.
/// </summary>
public sealed class RedisSiteKeyStore(IConnectionMultiplexer redis, RedisCallGuard guard) : ISiteKeyStore
{
    private static readonly RedisKey Records = "spamguard:{keys}:records";
    private static readonly RedisKey ByHash = "spamguard:{keys}:byhash";

    private const string Add = """
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
        return 1
        """;

    // Creating and revoking are administrative calls: not held to the per-check timeout of the guard.
    public async Task AddAsync(SiteKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await RedisCallGuard.RunAdministrativeAsync(() => redis.GetDatabase().ScriptEvaluateAsync(Add, [Records, ByHash], [key.Id, key.KeyHash, JsonSerializer.Serialize(key)]), cancellationToken);
    }

    public async Task<SiteKey?> FindByHashAsync(string keyHash, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var id = await guard.RunAsync(() => db.HashGetAsync(ByHash, keyHash), cancellationToken);
        if (id.IsNull)
        {
            return null;
        }

        var json = await guard.RunAsync(() => db.HashGetAsync(Records, id), cancellationToken);
        return json.IsNull ? null : JsonSerializer.Deserialize<SiteKey>((string)json!);
    }

    public async Task<IReadOnlyList<SiteKey>> ListAsync(CancellationToken cancellationToken)
    {
        var all = await guard.RunAsync(() => redis.GetDatabase().HashGetAllAsync(Records), cancellationToken);
        return [.. all.Select(e => JsonSerializer.Deserialize<SiteKey>((string)e.Value!)!).OrderBy(k => k.CreatedAt)];
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var json = await RedisCallGuard.RunAdministrativeAsync(() => db.HashGetAsync(Records, id), cancellationToken);
        if (json.IsNull)
        {
            return false;
        }

        var key = JsonSerializer.Deserialize<SiteKey>((string)json!)!;
        if (!key.IsRevoked)
        {
            await RedisCallGuard.RunAdministrativeAsync(() => db.HashSetAsync(Records, id, JsonSerializer.Serialize(key with { RevokedAt = at })), cancellationToken);
        }

        return true;
    }
}
