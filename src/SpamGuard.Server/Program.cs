using SpamGuard.ML.Models;
using SpamGuard.Server.Hosting;

// The composition root is SpamGuardApp.Build, so the end-to-end tests start exactly the host that ships.
var app = SpamGuardApp.Build(args);
try
{
    await app.RunAsync();
    return 0;
}
catch (ModelLoadException ex)
{
    // A missing or corrupt model is an operator error: say what and where, without a stack trace.
    await Console.Error.WriteLineAsync($"spamguard: cannot start: {ex.Message}");
    return 2;
}
