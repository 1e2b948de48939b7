using System.ComponentModel;
using System.Diagnostics;

namespace SpamGuard.Testing;

/// <summary>
/// Prometheus's own checker, <c>promtool check metrics</c> (Debian package <c>prometheus</c>), run on a scrape: the
/// exposition must parse and pass its lint (names, units, HELP, counters ending in _total). Where it is not installed,
/// a test skips outside CI and fails in CI (CI=true), which installs it.
/// </summary>
public static class Promtool
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool IsInstalled { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Any(dir => File.Exists(Path.Combine(dir, "promtool")));

    public const string MissingMessage = "promtool is not installed (Debian: apt-get install -y prometheus); the scrape is not checked by it here. In CI (CI=true) this fails instead.";

    /// <summary>promtool's exit code and everything it printed about <paramref name="exposition"/>.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var start = new ProcessStartInfo("promtool")
        {
            ArgumentList = { "check", "metrics" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(MissingMessage, ex);
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(Deadline);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.StandardInput.WriteAsync(exposition.AsMemory(), timeout.Token);
            process.StandardInput.Close();
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw new TimeoutException($"promtool did not finish within {Deadline.TotalSeconds:0} s.");
            }

            return (process.ExitCode, (await stdout) + (await stderr));
        }
    }
}
