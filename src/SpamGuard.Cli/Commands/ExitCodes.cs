namespace SpamGuard.Cli.Commands;

internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad input: a missing or malformed file, an unknown label, a corrupt model.</summary>
    public const int BadInput = 2;

    /// <summary>The server could not be reached or refused the call.</summary>
    public const int ServerError = 3;

    /// <summary>The server does not know what was asked about (an unknown or expired check id).</summary>
    public const int NotFound = 4;

    /// <summary>
    /// The server accepted the call but the job it ran failed (a retrain with too few labelled rows): not the
    /// caller's input and not an unreachable server, so scripts can tell "try again later" from "fix the data".
    /// </summary>
    public const int JobFailed = 5;
}
