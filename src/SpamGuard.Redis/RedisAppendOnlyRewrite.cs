using System.Globalization;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Privacy;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// After an erasure, rewrites Redis's append-only file on every server that keeps one (CONFIG GET appendonly), so the
/// erased records are no longer readable from disk once BGREWRITEAOF finishes. A rewrite already running was started
/// from the data before the erasure, so it is waited for (bounded) and a new one started. RDB snapshots and backups
/// cannot be rewritten from here: the note tells the operator.
/// CONFIG and BGREWRITEAOF need the client's admin mode, which the service's shared connection does not have (it would
/// also allow FLUSHALL and the like): a short-lived admin connection is opened for the moment of the rewrite.
/// </summary>
internal sealed class RedisAppendOnlyRewrite(IOptions<RedisOptions> options, TimeProvider time) : IDiskCopyPurger
{
    /// <summary>How long a rewrite already in progress is waited for before the operator is told to start one.</summary>
    internal static readonly TimeSpan RunningRewriteWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(200);

    private const string Snapshots =
        "RDB snapshots (dump.rdb) and backups made before this erasure still hold the data: replace them (BGSAVE after the rewrite) and expire old backups.";

    /// <summary>How long one administrative command may take.</summary>
    private static readonly TimeSpan CommandWait = TimeSpan.FromSeconds(5);

    public async Task<DiskCopyPurge> PurgeAsync(CancellationToken cancellationToken)
    {
        var rewriting = new List<string>();
        var withoutLog = new List<string>();
        var failed = new List<string>();
        var client = options.Value.ToClientOptions();
        client.AllowAdmin = true;
        client.ClientName = "spamguard-erasure";
        ConnectionMultiplexer admin;
        try
        {
            admin = await ConnectionMultiplexer.ConnectAsync(client).WaitAsync(TimeSpan.FromMilliseconds(client.ConnectTimeout) + CommandWait, time, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new DiskCopyPurge(false, $"Could not connect to Redis to start the rewrite ({ex.Message}): run BGREWRITEAOF on each server that has appendonly on. {Snapshots}");
        }

        await using var _ = admin;
        foreach (var server in admin.GetServers().Where(s => s.IsConnected))
        {
            var name = Name(server.EndPoint);
            try
            {
                if (!await AppendOnlyAsync(server, cancellationToken))
                {
                    withoutLog.Add(name);
                }
                else if (await RewriteAsync(server, cancellationToken))
                {
                    rewriting.Add(name);
                }
                else
                {
                    failed.Add($"{name} (a rewrite started before the erasure was still running after {RunningRewriteWait.TotalSeconds:0} s)");
                }
            }
            catch (Exception ex) when (ex is RedisException or RedisCommandException or TimeoutException)
            {
                // CONFIG may be renamed or refused (managed Redis): say so rather than fail the erasure that happened.
                failed.Add($"{name} ({ex.Message})");
            }
        }

        var parts = new List<string>();
        if (rewriting.Count > 0)
        {
            parts.Add($"Append-only file rewrite (BGREWRITEAOF) started on {string.Join(", ", rewriting)}; the erased records leave the file when it finishes (INFO persistence: aof_rewrite_in_progress:0).");
        }

        if (withoutLog.Count > 0)
        {
            parts.Add($"No append-only file on {string.Join(", ", withoutLog)} (appendonly no).");
        }

        if (failed.Count > 0)
        {
            parts.Add($"Could not start the rewrite on {string.Join(", ", failed)}: run BGREWRITEAOF there if appendonly is on.");
        }

        if (rewriting.Count + withoutLog.Count + failed.Count == 0)
        {
            parts.Add("No Redis server was connected: run BGREWRITEAOF on each server that has appendonly on.");
        }

        parts.Add(Snapshots);
        return new DiskCopyPurge(rewriting.Count > 0 && failed.Count == 0, string.Join(" ", parts));
    }

    private async Task<bool> AppendOnlyAsync(IServer server, CancellationToken cancellationToken)
    {
        var reply = await server.ExecuteAsync("CONFIG", "GET", "appendonly").WaitAsync(CommandWait, time, cancellationToken);
        var values = (RedisResult[]?)reply ?? [];
        return values.Length >= 2 && string.Equals((string?)values[1], "yes", StringComparison.OrdinalIgnoreCase);
    }

    /// <returns>False when a rewrite already running did not finish in <see cref="RunningRewriteWait"/>.</returns>
    private async Task<bool> RewriteAsync(IServer server, CancellationToken cancellationToken)
    {
        var waitUntil = time.GetUtcNow() + RunningRewriteWait;
        while (true)
        {
            try
            {
                // "Background append only file rewriting started", or "scheduled" while a BGSAVE runs: either way it
                // starts from the data as it is now, after the erasure.
                await server.ExecuteAsync("BGREWRITEAOF").WaitAsync(CommandWait, time, cancellationToken);
                return true;
            }
            catch (RedisServerException ex) when (ex.Message.Contains("already in progress", StringComparison.OrdinalIgnoreCase))
            {
                if (time.GetUtcNow() >= waitUntil)
                {
                    return false;
                }

                await Task.Delay(PollEvery, time, cancellationToken);
            }
        }
    }

    private static string Name(System.Net.EndPoint endPoint) => endPoint switch
    {
        System.Net.DnsEndPoint dns => string.Create(CultureInfo.InvariantCulture, $"{dns.Host}:{dns.Port}"),
        _ => endPoint.ToString() ?? "?",
    };
}
