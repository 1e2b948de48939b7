using System.Text;
using SpamGuard.Testing;
using StackExchange.Redis;

namespace SpamGuard.Server.Tests.Infrastructure;

/// <summary>One key of a Redis database as the tests inspect it: its TTL and everything it holds, as text.</summary>
internal sealed record RedisEntry(string Key, TimeSpan? Ttl, RedisType Type, string Text);

/// <summary>Reads every key and value of a test's redis-server, to prove what is and is not stored.</summary>
internal static class RedisContents
{
    public static async Task<IReadOnlyList<RedisEntry>> ReadAllAsync(RedisServerProcess redis)
    {
        var options = ConfigurationOptions.Parse(redis.Endpoint);
        options.AllowAdmin = true;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(SpamGuardHost.CallTimeout);
        var db = connection.GetDatabase();
        var entries = new List<RedisEntry>();
        await foreach (var key in connection.GetServers()[0].KeysAsync(pattern: "*"))
        {
            var text = new StringBuilder().Append(key).Append('\n');
            var type = await db.KeyTypeAsync(key);
            switch (type)
            {
                case RedisType.Hash:
                    foreach (var e in await db.HashGetAllAsync(key))
                    {
                        text.Append(e.Name).Append('=').Append(e.Value).Append('\n');
                    }

                    break;
                case RedisType.Stream:
                    foreach (var e in await db.StreamRangeAsync(key))
                    {
                        foreach (var v in e.Values)
                        {
                            text.Append(v.Name).Append('=').Append(v.Value).Append('\n');
                        }
                    }

                    break;
                case RedisType.String:
                    text.Append(await db.StringGetAsync(key)).Append('\n');
                    break;
            }

            entries.Add(new RedisEntry(key.ToString(), await db.KeyTimeToLiveAsync(key), type, text.ToString()));
        }

        return entries;
    }

    public static string Dump(this IReadOnlyList<RedisEntry> entries) => string.Concat(entries.Select(e => e.Text));
}
