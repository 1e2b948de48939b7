using System.Globalization;

namespace SpamGuard.FaultLab;

/// <summary>The server's resident set size every 10 s (/proc/&lt;pid&gt;/status VmRSS), to tell a flat process from a leak.</summary>
internal sealed class RssSampler(ServerNode server)
{
    private readonly List<(TimeSpan At, long Kib)> _samples = [];
    private DateTime _start;

    public async Task RunAsync(CancellationToken stop)
    {
        _start = DateTime.UtcNow;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        do
        {
            if (server.RssKib() is { } kib)
            {
                lock (_samples)
                {
                    _samples.Add((DateTime.UtcNow - _start, kib));
                }
            }
        }
        while (await WaitAsync(timer, stop));
    }

    /// <summary>Largest sample of the first minute, the last sample, and the growth between them in percent.</summary>
    public (long FirstMinuteKib, long LastKib, double GrowthPercent)? Result()
    {
        lock (_samples)
        {
            if (_samples.Count < 2)
            {
                return null;
            }

            var first = _samples.Where(s => s.At <= TimeSpan.FromMinutes(1)).Max(s => s.Kib);
            var last = _samples[^1].Kib;
            return (first, last, 100.0 * (last - first) / first);
        }
    }

    public string Describe() => Result() is { } r
        ? string.Create(CultureInfo.InvariantCulture, $"server RSS: first minute max {r.FirstMinuteKib / 1024.0:F0} MiB, last {r.LastKib / 1024.0:F0} MiB ({r.GrowthPercent:+0.0;-0.0}%), {_samples.Count} samples every 10 s")
        : "server RSS: too few samples";

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
