using Microsoft.Extensions.Options;

namespace SpamGuard.Server.Privacy;

/// <summary>Where the privacy page is published, for the notice sites paste under their comment form. Section "Privacy".</summary>
internal sealed class PrivacyLinkOptions
{
    public const string SectionName = "Privacy";

    /// <summary>The public base address of this service (absolute http or https, e.g. <c>https://spam.example.org/</c>);
    /// the notice links to <c>{PublicBaseUrl}/privacy</c>. Unset, the link is the relative <c>/privacy</c>: never the
    /// request's Host header, which any client chooses.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The privacy page's address for the notice.</summary>
    public Uri PrivacyUrl() => string.IsNullOrWhiteSpace(PublicBaseUrl)
        ? new Uri("/privacy", UriKind.Relative)
        : new Uri(new Uri(PublicBaseUrl.TrimEnd('/') + "/", UriKind.Absolute), "privacy");
}

internal sealed class PrivacyLinkOptionsValidator : IValidateOptions<PrivacyLinkOptions>
{
    public ValidateOptionsResult Validate(string? name, PrivacyLinkOptions options) =>
        string.IsNullOrWhiteSpace(options.PublicBaseUrl)
        || (Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var url)
            && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            && url.Query.Length == 0 && url.Fragment.Length == 0 && url.UserInfo.Length == 0)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Privacy:PublicBaseUrl must be an absolute http or https URL without query, fragment or user info (got \"{options.PublicBaseUrl}\").");
}
