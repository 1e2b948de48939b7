using System.Diagnostics;

namespace SpamGuard.Testing;

/// <summary>
/// Debian's real Chromium, run headless by the tests: the DOM after the page's scripts ran (so a script that did run
/// would show), and screenshots. Each run has a deadline, so a hang fails the test instead of stalling the suite.
/// </summary>
public static class HeadlessChromium
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>The document as the browser built it, serialised.</summary>
    public static Task<string> DumpDomAsync(Uri url) => RunAsync(["--dump-dom", url.AbsoluteUri]);

    /// <summary>Renders <paramref name="url"/> at the given viewport size into a PNG file.</summary>
    public static async Task ScreenshotAsync(Uri url, string pngPath, int width, int height)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
        await RunAsync(["--hide-scrollbars", $"--window-size={width},{height}", $"--screenshot={Path.GetFullPath(pngPath)}", url.AbsoluteUri]);
    }

    private static async Task<string> RunAsync(string[] arguments)
    {
        var start = new ProcessStartInfo("chromium")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // As root in CI the sandbox cannot start; the pages are the project's own, on loopback.
        foreach (var argument in new[] { "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=" + Directory.CreateTempSubdirectory("spamguard-chromium-").FullName }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("chromium is not installed; the browser tests need Debian's package (apt-get install -y chromium).", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Deadline);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish within {Deadline.TotalSeconds:0} s.");
            }

            return process.ExitCode == 0
                ? await stdout
                : throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {await stderr}");
        }
    }
}
