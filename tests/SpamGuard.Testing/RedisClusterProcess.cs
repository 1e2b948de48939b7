namespace SpamGuard.Testing;

/// <summary>
/// A real three-master Redis Cluster on 127.0.0.1: three <c>redis-server --cluster-enabled yes</c> processes joined
/// with <c>redis-cli --cluster create</c>, ready once every node reports cluster_state:ok.
/// </summary>
public sealed class RedisClusterProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(30);

    private RedisClusterProcess(IReadOnlyList<RedisServerProcess> nodes) => Nodes = nodes;

    public IReadOnlyList<RedisServerProcess> Nodes { get; }

    /// <summary>Seed nodes as a StackExchange.Redis configuration string ("127.0.0.1:p1,127.0.0.1:p2,…").</summary>
    public string Configuration => string.Join(',', Nodes.Select(n => n.Endpoint));

    public static async Task<RedisClusterProcess> StartAsync()
    {
        var nodes = new List<RedisServerProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                nodes.Add(await RedisServerProcess.StartAsync(
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"));
            }

            var cluster = new RedisClusterProcess(nodes);
            await RedisCli.RunAsync(nodes[0].Port, ["--cluster", "create", .. nodes.Select(n => n.Endpoint), "--cluster-replicas", "0", "--cluster-yes"]);
            await cluster.WaitUntilReadyAsync();
            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + ReadyDeadline;
        while (DateTime.UtcNow < deadline)
        {
            var states = await Task.WhenAll(Nodes.Select(n => n.CliAsync("cluster", "info")));
            if (states.All(s => s.Contains("cluster_state:ok", StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The Redis Cluster did not reach cluster_state:ok within {ReadyDeadline.TotalSeconds} s.");
    }
}
