using System.Globalization;

namespace SpamGuard.FaultLab;

/// <summary>The driver's command line. Every address is loopback; every duration is bounded.</summary>
internal sealed class LabOptions
{
    public required string ServerDll { get; init; }

    public required string ModelPath { get; init; }

    /// <summary>A fresh directory the lab owns: Redis's files, the server's data directory and logs.</summary>
    public required string WorkDirectory { get; init; }

    public int Callers { get; init; } = 8;

    /// <summary>Checks per second over all callers (the machine is shared; an unthrottled flood measures nothing useful).</summary>
    public int ChecksPerSecond { get; init; } = 120;

    public TimeSpan Phase { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Share of successful checks that are then reported (SubmitSpam or SubmitHam).</summary>
    public double ReportFraction { get; init; } = 0.2;

    /// <summary>Soak mode: this long with Redis, then this long with Redis killed and restarted twice. Zero: the short run.</summary>
    public TimeSpan Soak { get; init; } = TimeSpan.Zero;

    public TimeSpan WallClockCap { get; init; } = TimeSpan.FromMinutes(15);

    public double RssGrowthTolerancePercent { get; init; } = 25;

    public static LabOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
            }

            values[args[i][2..]] = args[++i];
        }

        string Required(string name) => values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");
        double Number(string name, double fallback) => values.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

        var soakMinutes = Number("soak-minutes", 0);
        var options = new LabOptions
        {
            ServerDll = Path.GetFullPath(Required("server-dll")),
            ModelPath = Path.GetFullPath(Required("model")),
            WorkDirectory = Path.GetFullPath(Required("work-dir")),
            Callers = (int)Number("callers", 8),
            ChecksPerSecond = (int)Number("rate", 120),
            Phase = TimeSpan.FromSeconds(Number("phase-seconds", 20)),
            ReportFraction = Number("report-fraction", 0.2),
            Soak = TimeSpan.FromMinutes(soakMinutes),
            WallClockCap = TimeSpan.FromMinutes(Number("max-minutes", soakMinutes > 0 ? (2 * soakMinutes) + 10 : 15)),
            RssGrowthTolerancePercent = Number("rss-tolerance-pct", 25),
        };
        return options.Callers is < 1 or > 64 || options.ChecksPerSecond is < 1 or > 5000 || options.Phase < TimeSpan.FromSeconds(5)
            || options.ReportFraction is < 0 or > 1
            ? throw new ArgumentException("Out of range: --callers 1..64, --rate 1..5000, --phase-seconds >= 5, --report-fraction 0..1.")
            : options;
    }
}
