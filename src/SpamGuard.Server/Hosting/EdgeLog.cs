namespace SpamGuard.Server.Hosting;

/// <summary>Requests refused at the edge (malformed framing, unreadable forms): one short line at Debug each, never a
/// stack trace, since any client can send them as often as it likes.</summary>
internal static partial class Log
{
    [LoggerMessage(4101, LogLevel.Debug, "Rejected {Path}: {Reason}")]
    public static partial void AkismetRejected(ILogger logger, string path, string reason);

    [LoggerMessage(4102, LogLevel.Debug, "Rejected {Method} with {StatusCode}: malformed gRPC request ({Reason}).")]
    public static partial void MalformedGrpcRequest(ILogger logger, string method, string statusCode, string reason);
}
