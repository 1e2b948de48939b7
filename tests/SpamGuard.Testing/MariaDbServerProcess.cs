using System.Diagnostics;

namespace SpamGuard.Testing;

/// <summary>
/// A throwaway MariaDB server (Debian package mariadb-server) for tests: a fresh data directory made by
/// <c>mariadb-install-db</c> in a temporary directory, and <c>mariadbd</c> as a child process listening only on a Unix
/// socket there (no TCP port, no grant checks: nothing but the test can reach it). Disposing kills it and deletes the
/// directory.
/// </summary>
public sealed class MariaDbServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private readonly Process _server;

    private MariaDbServerProcess(string directory, Process server)
    {
        Directory = directory;
        _server = server;
    }

    public string Directory { get; }

    /// <summary>The server's Unix socket.</summary>
    public string SocketPath => Path.Combine(Directory, "mysqld.sock");

    /// <summary>Whether the Debian package's programs are on PATH.</summary>
    public static bool IsInstalled => ClientProcess.IsInstalled("mariadb-install-db") && ClientProcess.IsInstalled("mariadb")
        && (ClientProcess.IsInstalled("mariadbd") || File.Exists("/usr/sbin/mariadbd"));

    /// <summary>Creates the data directory, starts the server, and creates <paramref name="database"/>.</summary>
    public static async Task<MariaDbServerProcess> StartAsync(string database)
    {
        // Short: a Unix socket path must stay under 108 bytes.
        var directory = Path.Combine(Path.GetTempPath(), "sg-mariadb-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var data = Path.Combine(directory, "data");
        var user = Environment.UserName;
        var (exit, stdout, stderr) = await ClientProcess.RunAsync("mariadb-install-db",
            ["--no-defaults", $"--datadir={data}", $"--user={user}", "--auth-root-authentication-method=normal", "--skip-test-db"],
            directory, new Dictionary<string, string>(), StartDeadline, "apt-get install -y mariadb-server");
        if (exit != 0)
        {
            throw new InvalidOperationException($"mariadb-install-db failed ({exit}): {stdout}{stderr}");
        }

        var program = ClientProcess.IsInstalled("mariadbd") ? "mariadbd" : "/usr/sbin/mariadbd";
        var start = new ProcessStartInfo(program)
        {
            // Not redirected: nobody would read the pipes, and the server writes to its --log-error file anyway.
            WorkingDirectory = directory,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--no-defaults", $"--datadir={data}", $"--user={user}", $"--socket={Path.Combine(directory, "mysqld.sock")}",
            "--skip-networking", "--skip-grant-tables", $"--pid-file={Path.Combine(directory, "mysqld.pid")}",
            $"--log-error={Path.Combine(directory, "error.log")}", "--innodb-buffer-pool-size=16M", "--skip-log-bin",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var server = Process.Start(start) ?? throw new InvalidOperationException("mariadbd did not start.");
        var instance = new MariaDbServerProcess(directory, server);
        try
        {
            await instance.WaitUntilReadyAsync(database);
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync(string database)
    {
        var deadline = DateTime.UtcNow + StartDeadline;
        while (true)
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"mariadbd exited with {_server.ExitCode}: {ReadErrorLog()}");
            }

            if (File.Exists(SocketPath))
            {
                var (exit, _, stderr) = await ClientProcess.RunAsync("mariadb", ["--no-defaults", $"--socket={SocketPath}", "-u", "root",
                    "-e", $"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4"], Directory, new Dictionary<string, string>(),
                    TimeSpan.FromSeconds(10), "apt-get install -y mariadb-server");
                if (exit == 0)
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"mariadbd did not accept a connection within {StartDeadline.TotalSeconds:0} s: {stderr} {ReadErrorLog()}");
                }
            }
            else if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"mariadbd made no socket within {StartDeadline.TotalSeconds:0} s: {ReadErrorLog()}");
            }

            await Task.Delay(200);
        }
    }

    private string ReadErrorLog()
    {
        var log = Path.Combine(Directory, "error.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no error log)";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_server.HasExited)
        {
            _server.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _server.WaitForExitAsync(timeout.Token);
        }

        _server.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }
}
