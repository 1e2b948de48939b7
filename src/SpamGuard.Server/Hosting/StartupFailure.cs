using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Privacy;
using SpamGuard.ML.Models;

namespace SpamGuard.Server.Hosting;

/// <summary>
/// Turns what stops the server at start into one line for the operator and an exit code, so a wrong setting or a
/// taken port reads as what it is instead of a stack trace. Anything not recognised here is a bug and is rethrown.
/// </summary>
internal static class StartupFailure
{
    /// <summary>A setting, the model or the pseudonymisation secret is wrong: the operator must fix configuration.</summary>
    public const int ConfigurationExitCode = 2;

    /// <summary>An endpoint could not be listened on (the port is taken, or not allowed).</summary>
    public const int ListenExitCode = 3;

    public static bool TryDescribe(Exception exception, out int exitCode, out string line)
    {
        ArgumentNullException.ThrowIfNull(exception);
        (exitCode, var reason) = exception switch
        {
            ModelLoadException ex => (ConfigurationExitCode, ex.Message),
            PseudonymSecretException ex => (ConfigurationExitCode, ex.Message),
            OptionsValidationException ex => (ConfigurationExitCode, $"invalid configuration: {string.Join(" ", ex.Failures)}"),
            // Several options classes failing at once (ValidateOnStart checks them all) come as one aggregate.
            AggregateException { InnerExceptions: { Count: > 0 } inner } when inner.All(e => e is OptionsValidationException) =>
                (ConfigurationExitCode, $"invalid configuration: {string.Join(" ", inner.Cast<OptionsValidationException>().SelectMany(e => e.Failures))}"),
            // The configuration binder's "Failed to convert configuration value 'abc' at 'Scoring:MaxSignals' to type …".
            InvalidOperationException { InnerException: ArgumentException or FormatException } ex => (ConfigurationExitCode, $"invalid configuration: {ex.Message}"),
            // Kestrel: "Failed to bind to address http://127.0.0.1:5000: address already in use."
            IOException { InnerException: AddressInUseException } ex => (ListenExitCode, ex.Message),
            IOException { InnerException: System.Net.Sockets.SocketException } ex => (ListenExitCode, ex.Message),
            _ => (0, ""),
        };
        line = exitCode == 0 ? "" : $"spamguard: cannot start: {OneLine(reason)}";
        return exitCode != 0;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
