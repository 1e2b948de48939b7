namespace SpamGuard.Server.Hosting;

/// <summary>
/// The browser-facing security headers, set in one place for every HTTP response (not gRPC): no sniffing, no
/// referrer, no framing, and a Content-Security-Policy that allows nothing. A page that needs more (the privacy pages'
/// hashed style block) sets its own policy, which must keep <c>frame-ancestors 'none'</c>; it is left as it is.
/// </summary>
internal sealed class SecurityHeaders(RequestDelegate next)
{
    internal const string DefaultContentSecurityPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var response = (HttpResponse)state;
            if (response.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
            {
                return Task.CompletedTask;
            }

            var headers = response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
            {
                headers.ContentSecurityPolicy = DefaultContentSecurityPolicy;
            }

            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    }
}
