using Grpc.Core;

namespace SpamGuard.Server.Hosting;

/// <summary>The key a call carries in its metadata as "authorization: Bearer &lt;key&gt;" (site keys and the admin key alike).</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer ";

    public static string? From(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return From(context.RequestHeaders.GetValue("authorization"));
    }

    /// <summary>The same from an HTTP Authorization header (the REST facade).</summary>
    public static string? From(string? header) =>
        header is not null && header.StartsWith(Scheme, StringComparison.Ordinal) ? header[Scheme.Length..].Trim() : null;
}
