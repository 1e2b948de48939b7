using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace SpamGuard.Testing;

/// <summary>
/// A real <c>redis-server</c> (Debian package redis-server) on a free 127.0.0.1 port with its own temporary directory,
/// for tests. It can be stopped and started again on the same port and directory (Redis down, then back), and paused
/// with SIGSTOP (Redis slow: connections stay open but nothing answers). Disposing kills it and deletes the directory.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(15);

    private readonly string[] _extraArguments;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private RedisServerProcess(int port, string directory, string[] extraArguments)
    {
        Port = port;
        Directory = directory;
        _extraArguments = extraArguments;
    }

    public int Port { get; }

    /// <summary>The server's working directory (dump, append-only file, cluster config).</summary>
    public string Directory { get; }

    /// <summary>"127.0.0.1:port", a StackExchange.Redis configuration string.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Starts a server; fails with install instructions when redis-server is missing.</summary>
    public static async Task<RedisServerProcess> StartAsync(params string[] extraArguments)
    {
        // The free port is released before redis-server binds it, so a server started at the same moment by another
        // test can take it; ours then exits ("address in use") and starts again on another port.
        for (var attempt = 1; ; attempt++)
        {
            var directory = System.IO.Directory.CreateTempSubdirectory("spamguard-redis-").FullName;
            var server = new RedisServerProcess(LoopbackPorts.FreePair().First, directory, extraArguments);
            try
            {
                await server.StartAgainAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server._process is { HasExited: true })
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Starts the server (again) on the same port and directory, and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("redis-server is already running.");
        }

        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", Directory, "--save", "", "--appendonly", "no" }.Concat(_extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                "redis-server is not installed; tests that need Redis start a real one (apt-get install -y redis-server).", ex);
        }

        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAnsweringAsync();
    }

    /// <summary>Stops the server the way a crash would (SIGKILL): clients see connections drop.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(StartDeadline);
        }
    }

    /// <summary>Freezes the server (SIGSTOP): it keeps its connections but answers nothing until <see cref="ResumeAsync"/>.</summary>
    public Task PauseAsync() => Signal("STOP");

    public Task ResumeAsync() => Signal("CONT");

    /// <summary>Runs redis-cli against this server and returns its output.</summary>
    public Task<string> CliAsync(params string[] arguments) => RedisCli.RunAsync(Port, arguments);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await ResumeAsync();
            await StopAsync();
            _process.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp directory is cleaned up by the OS eventually.
        }
    }

    public override string ToString()
    {
        lock (_output)
        {
            return $"redis-server on {Endpoint}:\n{_output}";
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task Signal(string signal)
    {
        if (_process is { HasExited: false } process)
        {
            using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync().WaitAsync(StartDeadline);
        }
    }

    private async Task WaitUntilAnsweringAsync()
    {
        var deadline = DateTime.UtcNow + StartDeadline;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}.\n{this}");
            }

            if (await PingsAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"redis-server did not answer PING within {StartDeadline.TotalSeconds} s.\n{this}");
    }

    /// <summary>Whether the server on the port answers and is this process (not another test's server that took the
    /// port first): INFO's process_id must be ours.</summary>
    private async Task<bool> PingsAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("INFO server\r\n"u8.ToArray(), timeout.Token);
            var reply = new StringBuilder();
            var buffer = new byte[4096];
            while (reply.ToString() is var sofar && (sofar.IndexOf("process_id:", StringComparison.Ordinal) is var at && (at < 0 || sofar.IndexOf('\r', at) < 0)))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return false;
                }

                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            var text = reply.ToString();
            var start = text.IndexOf("process_id:", StringComparison.Ordinal) + "process_id:".Length;
            var end = text.IndexOf('\r', start);
            return int.TryParse(text.AsSpan(start, end - start), System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid == _process?.Id;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>redis-cli, with a deadline.</summary>
public static class RedisCli
{
    public static async Task<string> RunAsync(int port, params string[] arguments)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
    }
}
