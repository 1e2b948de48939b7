using SpamGuard.Server.Hosting;

// The composition root is SpamGuardApp.Build, so the end-to-end tests start exactly the host that ships.
try
{
    await using var app = SpamGuardApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupFailure.TryDescribe(ex, out var exitCode, out var line))
{
    // An operator error (a setting, the model, the secret, a taken port): one line naming it, no stack trace, and an
    // exit code a supervisor can tell apart from a crash (2 configuration, 3 cannot listen; see docs/configuration.md).
    await Console.Error.WriteLineAsync(line);
    return exitCode;
}
