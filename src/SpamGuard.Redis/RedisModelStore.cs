using System.Globalization;
using SpamGuard.Core.Models;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// The model registry in Redis, so every node can load every version: zips, cards and storage times in hashes by
/// version, the active and previous version in one hash, all under the "{models}" hash tag so the activation script
/// runs on one Cluster node. An activation is published on a channel every node subscribes to; nodes also poll the
/// active version, so one that missed the message (reconnecting) still follows. Models are configuration, not
/// personal data: they do not expire. All calls are administrative (not held to the per-check timeout).
/// </summary>
public sealed class RedisModelStore(IConnectionMultiplexer redis) : IModelStore
{
    private static readonly RedisKey Zips = "spamguard:{models}:zips";
    private static readonly RedisKey Cards = "spamguard:{models}:cards";
    private static readonly RedisKey Stored = "spamguard:{models}:stored";
    private static readonly RedisKey Activation = "spamguard:{models}:activation";
    private static readonly RedisChannel Activated = RedisChannel.Literal("spamguard:{models}:activated");

    // Atomic: two admins activating at once still leave "previous" as the version that was really active before.
    private const string Activate = """
        local current = redis.call('HGET', KEYS[1], 'active')
        if current ~= ARGV[1] then
            if current then redis.call('HSET', KEYS[1], 'previous', current) end
            redis.call('HSET', KEYS[1], 'active', ARGV[1])
        end
        return redis.call('HMGET', KEYS[1], 'active', 'previous')
        """;

    public async Task PutAsync(string version, ReadOnlyMemory<byte> zip, string cardJson, CancellationToken cancellationToken)
    {
        ModelVersions.ThrowIfInvalid(version);
        var db = redis.GetDatabase();
        // The card is written last: a version is listed (by its card) only once its zip is there.
        await RedisCallGuard.RunAdministrativeAsync(async () =>
        {
            if (!await db.HashSetAsync(Zips, version, zip, When.NotExists))
            {
                return false;
            }

            await db.HashSetAsync(Stored, version, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await db.HashSetAsync(Cards, version, cardJson);
            return true;
        }, cancellationToken);
    }

    public async Task<byte[]?> GetZipAsync(string version, CancellationToken cancellationToken)
    {
        ModelVersions.ThrowIfInvalid(version);
        var zip = await RedisCallGuard.RunAdministrativeAsync(() => redis.GetDatabase().HashGetAsync(Zips, version), cancellationToken);
        return zip.IsNull ? null : (byte[])zip!;
    }

    public async Task<StoredModel?> GetAsync(string version, CancellationToken cancellationToken)
    {
        ModelVersions.ThrowIfInvalid(version);
        var db = redis.GetDatabase();
        var (card, stored) = await RedisCallGuard.RunAdministrativeAsync(async () =>
        {
            var cardTask = db.HashGetAsync(Cards, version);
            var storedTask = db.HashGetAsync(Stored, version);
            return (await cardTask, await storedTask);
        }, cancellationToken);
        return card.IsNull
            ? null
            : new StoredModel(version, (string)card!, DateTimeOffset.FromUnixTimeMilliseconds(stored.IsNull ? 0 : (long)stored));
    }

    public async Task<IReadOnlyList<StoredModel>> ListAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var cards = await RedisCallGuard.RunAdministrativeAsync(() => db.HashGetAllAsync(Cards), cancellationToken);
        var stored = (await RedisCallGuard.RunAdministrativeAsync(() => db.HashGetAllAsync(Stored), cancellationToken))
            .ToDictionary(e => (string)e.Name!, e => long.Parse((string)e.Value!, CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return
        [
            .. cards.Select(c => new StoredModel((string)c.Name!, (string)c.Value!,
                    DateTimeOffset.FromUnixTimeMilliseconds(stored.GetValueOrDefault((string)c.Name!))))
                .OrderByDescending(m => m.StoredAt)
                .ThenByDescending(m => m.Version, StringComparer.Ordinal),
        ];
    }

    public async Task<ModelActivation> GetActivationAsync(CancellationToken cancellationToken)
    {
        var values = await RedisCallGuard.RunAdministrativeAsync(() => redis.GetDatabase().HashGetAsync(Activation, ["active", "previous"]), cancellationToken);
        return new ModelActivation(values[0].IsNull ? null : (string)values[0]!, values[1].IsNull ? null : (string)values[1]!);
    }

    public async Task<ModelActivation> ActivateAsync(string version, CancellationToken cancellationToken)
    {
        ModelVersions.ThrowIfInvalid(version);
        var db = redis.GetDatabase();
        var result = (RedisResult[])(await RedisCallGuard.RunAdministrativeAsync(() => db.ScriptEvaluateAsync(Activate, [Activation], [version]), cancellationToken))!;
        await RedisCallGuard.RunAdministrativeAsync(() => redis.GetSubscriber().PublishAsync(Activated, version), cancellationToken);
        return new ModelActivation(result[0].IsNull ? null : (string)result[0]!, result[1].IsNull ? null : (string)result[1]!);
    }

    public async Task<IAsyncDisposable> SubscribeAsync(Func<string, Task> onActivated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onActivated);
        var subscriber = redis.GetSubscriber();
        var queue = await RedisCallGuard.RunAdministrativeAsync(() => subscriber.SubscribeAsync(Activated), cancellationToken);
        // Messages are handled one at a time, in order, off the connection's reader.
        queue.OnMessage(message => onActivated((string)message.Message!));
        return new Subscription(queue);
    }

    private sealed class Subscription(ChannelMessageQueue queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await queue.UnsubscribeAsync();
    }
}
