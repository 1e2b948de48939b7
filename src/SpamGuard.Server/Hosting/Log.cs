namespace SpamGuard.Server.Hosting;

/// <summary>
/// Server log messages (event ids 4xxx). Nothing here takes comment content, IP addresses, e-mail addresses or
/// author names: a check is traced by its id. Nothing logged once per check or report goes above Debug: the
/// spamguard.checks and spamguard.reports counters count them, and a line per call cost about 12 % of check
/// throughput during a flood (issue 15).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(4001, LogLevel.Debug,
        "Checked comment {CheckId}: {Verdict} (spam probability {SpamProbability:0.####}) with model {ModelVersion}.")]
    public static partial void CommentChecked(ILogger logger, string checkId, string verdict, double spamProbability, string modelVersion);

    [LoggerMessage(4002, LogLevel.Debug, "Scoring a comment of {ContentBytes} content bytes and {LanguageCount} site languages.")]
    public static partial void ScoringComment(ILogger logger, int contentBytes, int languageCount);

    [LoggerMessage(4003, LogLevel.Debug, "Rejected {Method}: invalid {Fields}.")]
    public static partial void InvalidRequest(ILogger logger, string method, string fields);

    [LoggerMessage(4004, LogLevel.Warning, "Rejected {Method}: no spam model is loaded yet.")]
    public static partial void ModelNotReady(ILogger logger, string method);

    [LoggerMessage(4006, LogLevel.Debug, "Report of check {CheckId} as {Label}: {Outcome}.")]
    public static partial void Reported(ILogger logger, string checkId, string label, string outcome);

    [LoggerMessage(4005, LogLevel.Error, "Unhandled error in {Method}.")]
    public static partial void UnhandledError(ILogger logger, string method, Exception exception);

    // The data root is the first thing an operator looks for after a start; it holds the pseudonymisation secret.
    [LoggerMessage(4090, LogLevel.Information, "Local state under {DataDirectory}.")]
    public static partial void DataDirectory(ILogger logger, string dataDirectory);
}
