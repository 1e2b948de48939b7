using System.Diagnostics;
using System.Text;

namespace SpamGuard.Cli.Tests.Infrastructure;

/// <summary>What a finished child process left behind.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    /// <summary>For assertion messages: everything the process said.</summary>
    public override string ToString() =>
        $"exit code {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}

/// <summary>
/// A <c>dotnet &lt;assembly&gt;</c> child process with stdout and stderr captured in the background (so a chatty child
/// never blocks on a full pipe) and stdin written (when given) and closed at once. Disposing kills the whole process tree.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch _stopwatch;

    private ChildProcess(Process process, string? standardInput)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, _stdoutClosed, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, _stderrClosed, e.Data);
        _stopwatch = Stopwatch.StartNew();
        _process.Start();
        if (standardInput is not null)
        {
            _process.StandardInput.Write(standardInput);
        }

        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The <c>dotnet</c> host that runs this test process, so children use the same runtime.</summary>
    public static string DotnetHost { get; } = FindDotnetHost();

    public bool HasExited => _process.HasExited;

    public string StdOut
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StdErr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet <paramref name="assembly"/> <paramref name="args"/></c>.</summary>
    public static ChildProcess Start(string assembly, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{assembly} is not there; is the project built?", assembly);
        }

        return StartProgram(DotnetHost, [assembly, .. args], workingDirectory ?? Path.GetDirectoryName(assembly)!, environment, standardInput);
    }

    /// <summary>Starts any program (the SDK's <c>dotnet pack</c>, <c>node</c>, an installed tool) the same way.</summary>
    public static ChildProcess StartProgram(string program, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The children must not inherit the test host's environment choices.
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        info.Environment.Remove("DOTNET_ENVIRONMENT");
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return new ChildProcess(new Process { StartInfo = info }, standardInput);
    }

    /// <summary>Runs to completion; on timeout kills the process tree and fails the test with what it printed.</summary>
    public static async Task<ProcessResult> RunAsync(string assembly, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        using var child = Start(assembly, args, workingDirectory, environment, standardInput);
        return await child.WaitForExitAsync(timeout);
    }

    /// <summary>Runs any program to completion (see <see cref="StartProgram"/>); on timeout kills it and fails.</summary>
    public static async Task<ProcessResult> RunProgramAsync(string program, IEnumerable<string> args, TimeSpan timeout, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var child = StartProgram(program, args, workingDirectory, environment);
        return await child.WaitForExitAsync(timeout);
    }

    /// <summary>Waits for exit and for both pipes to drain; on timeout kills the tree and fails.</summary>
    public async Task<ProcessResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            // Output events can still be in flight after exit; the null line marks the end of each pipe.
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            Assert.Fail($"{Describe()} did not finish within {timeout.TotalSeconds:0} s and was killed.\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}");
        }

        _stopwatch.Stop();
        return new ProcessResult(_process.ExitCode, StdOut, StdErr, _stopwatch.Elapsed);
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private string Describe() => $"'{Path.GetFileName(_process.StartInfo.FileName)} {string.Join(' ', _process.StartInfo.ArgumentList)}'";

    private static void Append(StringBuilder buffer, TaskCompletionSource closed, string? line)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (buffer)
        {
            buffer.Append(line).Append('\n');
        }
    }

    private static string FindDotnetHost()
    {
        // The test host normally runs under dotnet itself; otherwise the SDK tells us, or PATH has it.
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }
}
