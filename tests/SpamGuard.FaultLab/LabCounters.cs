using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace SpamGuard.FaultLab;

/// <summary>Named counts, per phase and in total. The failing counts decide the exit code; the others explain them.</summary>
internal sealed class LabCounters
{
    /// <summary>The counts that must all be zero (the final machine-readable line, in this order).</summary>
    public static readonly string[] Failing =
    [
        "checks_failed", "reports_lost", "reports_not_found", "http_5xx", "grpc_internal", "poisoned", "gate_open", "server_exited", "rss_not_flat",
    ];

    private readonly ConcurrentDictionary<(string Phase, string Name), long> _counts = new();
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _latencies = new(StringComparer.Ordinal);
    private readonly List<string> _phases = [];
    private readonly Dictionary<string, (DateTime Start, DateTime End)> _times = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];

    public string Phase { get; private set; } = "setup";

    public void BeginPhase(string phase)
    {
        var now = DateTime.UtcNow;
        lock (_phases)
        {
            if (_times.TryGetValue(Phase, out var previous))
            {
                _times[Phase] = (previous.Start, now);
            }

            _phases.Add(phase);
            _times[phase] = (now, now);
        }

        Phase = phase;
        Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] phase {phase}");
    }

    public void Add(string name, long amount = 1)
    {
        if (amount != 0)
        {
            _counts.AddOrUpdate((Phase, name), amount, (_, old) => old + amount);
        }
    }

    public void Latency(double milliseconds) => _latencies.GetOrAdd(Phase, _ => []).Add(milliseconds);

    public void Note(string note)
    {
        lock (_notes)
        {
            _notes.Add(note);
        }

        Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}]   {note}");
    }

    public long Total(string name) => _counts.Where(pair => pair.Key.Name == name).Sum(pair => pair.Value);

    public bool AnyFailure => Failing.Any(name => Total(name) != 0);

    public string Summary()
    {
        var text = new StringBuilder();
        var names = _counts.Keys.Select(key => key.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        List<string> phases;
        lock (_phases)
        {
            phases = ["setup", .. _phases];
        }

        phases = phases.Where(phase => _counts.Keys.Any(key => key.Phase == phase) || _latencies.ContainsKey(phase)).ToList();
        const int NameWidth = 26;
        text.AppendLine();
        text.Append("count".PadRight(NameWidth));
        foreach (var phase in phases)
        {
            text.Append(CultureInfo.InvariantCulture, $" {Abbreviate(phase),12}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $" {"total",10}");
        foreach (var name in names)
        {
            text.Append((Failing.Contains(name) ? "*" : " ") + name.PadRight(NameWidth - 1));
            foreach (var phase in phases)
            {
                text.Append(CultureInfo.InvariantCulture, $" {(_counts.TryGetValue((phase, name), out var count) ? count.ToString(CultureInfo.InvariantCulture) : "."),12}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $" {Total(name),10}");
        }

        text.AppendLine("(* = must be 0)");
        text.AppendLine();
        text.AppendLine("check latency ms (answered OK)     p50      p99      max        n  seconds  checks/s");
        foreach (var phase in phases.Where(_latencies.ContainsKey))
        {
            var sorted = _latencies[phase].Order().ToArray();
            var seconds = _times.TryGetValue(phase, out var time) ? (time.End - time.Start).TotalSeconds : 0;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {phase,-30} {Percentile(sorted, 0.50),8:F1} {Percentile(sorted, 0.99),8:F1} {sorted[^1],8:F1} {sorted.Length,8} {seconds,8:F0} {(seconds > 0 ? sorted.Length / seconds : 0),9:F1}");
        }

        lock (_notes)
        {
            if (_notes.Count > 0)
            {
                text.AppendLine();
                text.AppendLine("notes:");
                foreach (var note in _notes)
                {
                    text.AppendLine("  " + note);
                }
            }
        }

        return text.ToString();
    }

    public string MachineLine() => string.Join(' ', Failing.Select(name => $"{name}={Total(name)}"));

    private static string Abbreviate(string phase) => phase.Length <= 12 ? phase : phase[..12];

    private static double Percentile(double[] sorted, double quantile) => sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))];
}
