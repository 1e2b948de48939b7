using Microsoft.Extensions.Options;
using SpamGuard.Core.Privacy;
using SpamGuard.ML.Models;
using SpamGuard.Server.Hosting;

// The composition root is SpamGuardApp.Build, so the end-to-end tests start exactly the host that ships.
try
{
    await using var app = SpamGuardApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (ModelLoadException ex)
{
    // A missing or corrupt model is an operator error: say what and where, without a stack trace.
    await Console.Error.WriteLineAsync($"spamguard: cannot start: {ex.Message}");
    return 2;
}
catch (PseudonymSecretException ex)
{
    await Console.Error.WriteLineAsync($"spamguard: cannot start: {ex.Message}");
    return 2;
}
catch (OptionsValidationException ex)
{
    // Invalid settings are an operator error too: name each one (the messages say which key and why).
    await Console.Error.WriteLineAsync($"spamguard: cannot start: invalid configuration: {string.Join(" ", ex.Failures)}");
    return 2;
}
catch (InvalidOperationException ex) when (ex.InnerException is ArgumentException or FormatException)
{
    // The configuration binder's "Failed to convert configuration value 'abc' at 'Scoring:MaxSignals' to type …".
    await Console.Error.WriteLineAsync($"spamguard: cannot start: invalid configuration: {ex.Message}");
    return 2;
}
