using System.Runtime.InteropServices;
using SpamGuard.FaultLab;

// The fault-and-abuse lab's driver; tests/fault-lab/run.sh builds it and the server and calls it. Loopback only.
LabOptions options;
try
{
    options = LabOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine("fault-lab: " + ex.Message);
    return 2;
}

Directory.CreateDirectory(options.WorkDirectory);
var counters = new LabCounters();
var lab = new Lab(options, counters);
using var cap = new CancellationTokenSource(options.WallClockCap);
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cap.Cancel();
});
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    cap.Cancel();
});

var exitCode = 0;
try
{
    await lab.RunAsync(cap.Token);
}
catch (OperationCanceledException) when (cap.IsCancellationRequested)
{
    counters.Note($"stopped early: the wall-clock cap ({options.WallClockCap.TotalMinutes} min) was reached or the run was interrupted; counts are partial");
    exitCode = 3;
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
{
    counters.Note("lab error: " + ex.Message);
    exitCode = 2;
}
finally
{
    await lab.CleanUpAsync();
}

Console.WriteLine(counters.Summary());
Console.WriteLine(counters.MachineLine());
return exitCode != 0 ? exitCode : counters.AnyFailure ? 1 : 0;
