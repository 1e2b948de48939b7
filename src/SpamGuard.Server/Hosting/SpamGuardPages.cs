using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Server.Hosting;

/// <summary>The plain HTTP pages: a banner at <c>/</c> and a JSON health probe at <c>/healthz</c> for tools that speak no gRPC.</summary>
internal static class SpamGuardPages
{
    private const string Banner =
        "SpamGuard comment spam filter.\n" +
        "gRPC (HTTP/2): spamguard.v1.CommentFilter, spamguard.v1.ModelAdmin, grpc.health.v1.Health, server reflection.\n" +
        "Health: GET /healthz\n" +
        "Akismet REST: POST /1.1/verify-key, /1.1/comment-check, /1.1/submit-spam, /1.1/submit-ham; /1.2/usage-limit, /1.2/key-sites; GET /1.1/explanation/{guid}\n" +
        "Privacy: GET /privacy (HTML), GET /privacy.json\n" +
        "Metrics: GET /metrics (Prometheus; Authorization: Bearer <admin key>, or without a key on the Metrics:Url listener)\n";

    public static IEndpointRouteBuilder MapSpamGuardPages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Results.Text(Banner, "text/plain; charset=utf-8"));
        endpoints.MapGet("/healthz", HealthzAsync);
        return endpoints;
    }

    // Same checks as the gRPC health service, so the two probes cannot disagree.
    private static async Task<IResult> HealthzAsync(
        [FromServices] HealthCheckService health, [FromServices] ISpamClassifier classifier, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var serving = report.Status != HealthStatus.Unhealthy;
        var body = new HealthzResponse(serving ? "serving" : "not_serving", classifier.Current?.Version);
        return Results.Json(body, PagesJsonContext.Default.HealthzResponse,
            statusCode: serving ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>Body of <c>/healthz</c>.</summary>
/// <param name="Status"><c>serving</c> or <c>not_serving</c>, as in the gRPC health protocol.</param>
/// <param name="ModelVersion">Version of the loaded model; null while none is loaded.</param>
internal sealed record HealthzResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("model_version")] string? ModelVersion);

[JsonSerializable(typeof(HealthzResponse))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
internal sealed partial class PagesJsonContext : JsonSerializerContext;
