using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;

namespace SpamGuard.Server.Telemetry;

/// <summary>OpenTelemetry tracing (section "Telemetry"). Off unless <c>Telemetry:Otlp:Endpoint</c> is set.</summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    public OtlpOptions Otlp { get; set; } = new();

    internal sealed class OtlpOptions
    {
        /// <summary>The collector's base address, e.g. <c>http://127.0.0.1:4318</c> (OTLP/HTTP, spans go to
        /// <c>/v1/traces</c>) or <c>http://127.0.0.1:4317</c> with <see cref="Protocol"/> <c>Grpc</c>. Unset: no tracing.</summary>
        public string? Endpoint { get; set; }

        public OtlpExportProtocol Protocol { get; set; } = OtlpExportProtocol.HttpProtobuf;

        /// <summary>Share of traces kept, 0 to 1 (a parent's decision is followed).</summary>
        public double SampleRatio { get; set; } = 1.0;

        /// <summary>Longest one export may take; a collector that is away costs no more than this, off the request path.</summary>
        public int TimeoutMilliseconds { get; set; } = 10_000;
    }

    public bool TracingEnabled => !string.IsNullOrWhiteSpace(Otlp.Endpoint);

    /// <summary>Where spans are sent: the signal path appended for OTLP/HTTP, as the OTEL_EXPORTER_OTLP_ENDPOINT
    /// convention does.</summary>
    public Uri TracesEndpoint()
    {
        var endpoint = new Uri(Otlp.Endpoint!);
        return Otlp.Protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/traces") : endpoint;
    }
}

internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var otlp = options.Otlp;
        List<string> failures = [];
        if (options.TracingEnabled
            && !(Uri.TryCreate(otlp.Endpoint, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
                 && string.IsNullOrEmpty(url.Query)))
        {
            failures.Add($"Telemetry:Otlp:Endpoint must be an http(s) address of an OTLP collector, e.g. http://127.0.0.1:4318 (got \"{otlp.Endpoint}\").");
        }

        if (!Enum.IsDefined(otlp.Protocol))
        {
            failures.Add("Telemetry:Otlp:Protocol must be HttpProtobuf or Grpc.");
        }

        if (otlp.SampleRatio is < 0 or > 1 || double.IsNaN(otlp.SampleRatio))
        {
            failures.Add($"Telemetry:Otlp:SampleRatio must be between 0 and 1 (got {otlp.SampleRatio}).");
        }

        if (otlp.TimeoutMilliseconds is < 100 or > 60_000)
        {
            failures.Add($"Telemetry:Otlp:TimeoutMilliseconds must be between 100 and 60000 (got {otlp.TimeoutMilliseconds}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
