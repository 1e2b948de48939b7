using System.Net;
using Microsoft.Extensions.Options;

namespace SpamGuard.Server.Hosting;

/// <summary>Where <c>/metrics</c> is served. Section "Metrics".</summary>
internal sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>A separate listener for <c>/metrics</c> only, e.g. <c>http://127.0.0.1:9464</c>, where a scraper needs
    /// no key; keep it on loopback or a private network. Unset, <c>/metrics</c> is served on the HTTP endpoint and
    /// needs the admin key (<c>Authorization: Bearer &lt;Admin:Key&gt;</c>).</summary>
    public string? Url { get; set; }

    /// <summary>The separate listener's address and port, or null when there is none.</summary>
    public IPEndPoint? Listener() =>
        string.IsNullOrWhiteSpace(Url) ? null
        : new IPEndPoint(new Uri(Url).Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(new Uri(Url).Host), new Uri(Url).Port);
}

internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options) =>
        string.IsNullOrWhiteSpace(options.Url)
        || (Uri.TryCreate(options.Url, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp
            && (url.Host == "localhost" || IPAddress.TryParse(url.Host, out _)) && url.AbsolutePath == "/" && !url.IsDefaultPort)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Metrics:Url must be http://<IP address or localhost>:<port>, e.g. http://127.0.0.1:9464 (got \"{options.Url}\").");
}
