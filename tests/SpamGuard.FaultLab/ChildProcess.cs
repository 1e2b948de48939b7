using System.Diagnostics;
using System.Globalization;

namespace SpamGuard.FaultLab;

/// <summary>
/// A long-running child (redis-server or the SpamGuard server) started through <c>sh -c 'exec …'</c> so that its output
/// goes straight to a log file and its pid is the program's own. Each pid is appended to the work directory's
/// <c>pids</c> file, which run.sh kills by id if the driver itself is killed.
/// </summary>
internal sealed class ChildProcess(string name, string workingDirectory, string logPath, string pidFile)
{
    private Process? _process;

    public string Name => name;

    public int? Pid => _process is { HasExited: false } process ? process.Id : null;

    public bool Running => _process is { HasExited: false };

    public void Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (Running)
        {
            throw new InvalidOperationException($"{name} is already running.");
        }

        var command = "exec " + string.Join(' ', new[] { program }.Concat(arguments).Select(Quote)) + " >>" + Quote(logPath) + " 2>&1";
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        _process?.Dispose();
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        File.AppendAllText(pidFile, _process.Id.ToString(CultureInfo.InvariantCulture) + "\n");
    }

    /// <summary>Sends a signal by name (KILL, TERM, STOP, CONT) with /bin/kill.</summary>
    public async Task SignalAsync(string signal)
    {
        if (_process is { HasExited: false } process)
        {
            await Commands.RunAsync("kill", ["-s", signal, process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10), CancellationToken.None);
        }
    }

    /// <summary>Waits for the process to exit; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        if (_process is null)
        {
            return true;
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async Task KillAsync()
    {
        if (Running)
        {
            await SignalAsync("CONT");
            await SignalAsync("KILL");
            await WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Resident set size in KiB from /proc/&lt;pid&gt;/status, or null when not running.</summary>
    public long? RssKib()
    {
        if (Pid is not { } pid)
        {
            return null;
        }

        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>Short commands (kill, redis-cli) with a deadline: a command that does not finish in time is killed.</summary>
internal static class Commands
{
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds} s.", ex);
        }

        return (await output) + (await error);
    }
}
