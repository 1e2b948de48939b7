using System.Diagnostics;

namespace SpamGuard.Testing;

/// <summary>
/// Runs a real client program (ruby, go, php…) as a child process with a deadline, and returns what it printed. A hang
/// fails the test when the deadline passes; the process tree is killed.
/// </summary>
public static class ClientProcess
{
    /// <summary>Whether <paramref name="program"/> is found on PATH.</summary>
    public static bool IsInstalled(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/>; returns its exit code and output.</summary>
    /// <param name="installHint">Said when the program is missing, e.g. the Debian package to install.</param>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string program, IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment,
        TimeSpan deadline, string installHint)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} is not installed ({installHint}).", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(deadline);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {deadline.TotalSeconds:0} s: {await stderr}");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
