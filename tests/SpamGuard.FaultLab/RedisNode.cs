using System.Globalization;

namespace SpamGuard.FaultLab;

/// <summary>A real redis-server on its own loopback port and directory, append-only file on, that the lab kills,
/// freezes and fills. appendfsync=always: with everysec a SIGKILL may take the last second of writes with it, which
/// would be Redis's loss, not SpamGuard's, and the lab must blame only SpamGuard.</summary>
internal sealed class RedisNode(int port, string directory, string pidFile)
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(5);

    private readonly ChildProcess _process = new("redis-server", directory, Path.Combine(directory, "redis.log"), pidFile);

    public string Endpoint => $"127.0.0.1:{port}";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _process.Start("redis-server",
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
            "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "yes",
        ]);
        // After a long soak the append-only file holds hundreds of MB: reading it back on a busy machine takes minutes.
        var deadline = DateTime.UtcNow + StartDeadline;
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_process.Running)
            {
                throw new InvalidOperationException($"redis-server exited at start; see {directory}/redis.log.");
            }

            // LOADING replies come before PONG while the append-only file is read back.
            if ((await CliOrNullAsync(cancellationToken, "PING"))?.Trim() == "PONG")
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"redis-server did not answer PING within {StartDeadline.TotalSeconds} s.");
    }

    /// <summary>A crash: SIGKILL, no shutdown save (the append-only file is what survives).</summary>
    public Task KillAsync() => _process.KillAsync();

    public Task FreezeAsync() => _process.SignalAsync("STOP");

    public Task ThawAsync() => _process.SignalAsync("CONT");

    public async Task FillAsync(CancellationToken cancellationToken)
    {
        await CliAsync(cancellationToken, "CONFIG", "SET", "maxmemory-policy", "noeviction");
        await CliAsync(cancellationToken, "CONFIG", "SET", "maxmemory", "1");
    }

    public Task<string> UnfillAsync(CancellationToken cancellationToken) => CliAsync(cancellationToken, "CONFIG", "SET", "maxmemory", "0");

    public Task<string> CliAsync(CancellationToken cancellationToken, params string[] arguments) =>
        Commands.RunAsync("redis-cli", new[] { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture) }.Concat(arguments), TimeSpan.FromSeconds(10), cancellationToken);

    private async Task<string?> CliOrNullAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        try
        {
            return await CliAsync(cancellationToken, arguments);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }
}
