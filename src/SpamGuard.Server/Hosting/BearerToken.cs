using Grpc.Core;

namespace SpamGuard.Server.Hosting;

/// <summary>The key a call carries in its metadata as "authorization: Bearer &lt;key&gt;" (site keys and the admin key alike).</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer";

    public static string? From(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return From(context.RequestHeaders.GetValue("authorization"));
    }

    /// <summary>The same from an HTTP Authorization header (the REST facade). The scheme is case-insensitive
    /// (RFC 7235 section 2.1), so "bearer" and "BEARER" are the same as "Bearer"; the key itself is not.</summary>
    public static string? From(string? header)
    {
        if (header is null || header.Length <= Scheme.Length || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || header[Scheme.Length] is not (' ' or '\t'))
        {
            return null;
        }

        var token = header[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}
