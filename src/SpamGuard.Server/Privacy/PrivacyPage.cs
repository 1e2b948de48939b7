using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Disclosure;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;
using SpamGuard.Redis;

namespace SpamGuard.Server.Privacy;

/// <summary>
/// <c>GET /privacy</c> (HTML) and <c>GET /privacy.json</c>: what happens to a commenter's data, generated on each
/// request from the live options and the code that writes each check's disclosure. The page loads nothing from
/// elsewhere, escapes every value, and forbids scripts with its Content-Security-Policy.
/// </summary>
internal static class PrivacyPage
{
    internal const string Style = """
        body{font:1rem/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
        h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}
        table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}
        th,td{border:1px solid #999;padding:.4rem;text-align:left;vertical-align:top}
        code,pre{font-family:ui-monospace,monospace;font-size:.9rem}pre{white-space:pre-wrap;background:#f3f3f3;padding:.5rem}
        @media (max-width:40rem){table,thead,tbody,tr,th,td{display:block}thead{position:absolute;left:-9999px}
        tr{border:1px solid #999;margin-bottom:1rem}th,td{border:0}td::before{content:attr(data-label) ": ";font-weight:bold}}
        """;

    // The one inline style block is allowed by its hash: no 'unsafe-inline', no script at all.
    private static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapPrivacyPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/privacy", (HttpContext context) =>
        {
            Secure(context.Response);
            return Results.Content(Render(Facts(context)), "text/html; charset=utf-8");
        });
        endpoints.MapGet("/privacy.json", (HttpContext context) =>
        {
            Secure(context.Response);
            return Results.Json(PrivacyJson.From(Facts(context)), PrivacyJson.Options);
        });
        return endpoints;
    }

    private static PrivacyFacts Facts(HttpContext context)
    {
        var services = context.RequestServices;
        var privacy = services.GetRequiredService<IOptions<PrivacyOptions>>().Value;
        var feedback = services.GetRequiredService<IOptions<FeedbackOptions>>().Value;
        var redis = !string.IsNullOrWhiteSpace(services.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration);
        var url = services.GetRequiredService<IOptions<PrivacyLinkOptions>>().Value.PrivacyUrl();
        var reputation = services.GetRequiredService<IOptions<ReputationOptions>>().Value;
        return PrivacyFactsBuilder.Build(privacy, feedback, reputation, redis, url);
    }

    /// <summary>Everything up to and including the page's <c>h1</c>, the same for every privacy page (the CSP hash
    /// covers this one style block). <paramref name="title"/> is a literal, never user data.</summary>
    internal static string Opening(string title) =>
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
        $"<title>{title}</title>\n<style>{Style}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n";

    /// <summary>This page's Content-Security-Policy, which admits its one style block; the other security headers
    /// come from <see cref="Hosting.SecurityHeaders"/> for every response.</summary>
    internal static void Secure(HttpResponse response) => response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;

    internal static string Render(PrivacyFacts facts)
    {
        var h = HtmlEncoder.Default;
        var sb = new StringBuilder(8192);
        sb.Append(Opening("How your comment data is processed"))
          .Append("<p>This site checks comments for spam with SpamGuard, run by ").Append(h.Encode(facts.OperatorName));
        if (facts.OperatorContact.Length > 0)
        {
            sb.Append(" (contact: ").Append(h.Encode(facts.OperatorContact)).Append(')');
        }

        sb.Append(". This page is generated from the service's running configuration.</p>\n")
          .Append("<p><strong>Legal basis:</strong> ").Append(h.Encode(facts.LegalBasis)).Append("</p>\n")
          .Append("<h2 id=\"fields\">What is done with each part of your comment</h2>\n")
          .Append("<table>\n<thead><tr><th scope=\"col\">Field</th><th scope=\"col\">What it is used for</th><th scope=\"col\">Kept?</th><th scope=\"col\">For how long</th></tr></thead>\n<tbody>\n");
        foreach (var field in facts.Fields)
        {
            sb.Append("<tr><th scope=\"row\"><code>").Append(h.Encode(field.Field)).Append("</code></th><td data-label=\"Used for\">").Append(h.Encode(field.Purpose))
              .Append("</td><td data-label=\"Kept\">").Append(h.Encode(Handling(field.Handling))).Append("</td><td data-label=\"For how long\">")
              .Append(h.Encode(RetentionText.Describe(field.Retention))).Append("</td></tr>\n");
        }

        sb.Append("</tbody>\n</table>\n<h2 id=\"stores\">What is stored, where, and for how long</h2>\n")
          .Append("<table>\n<thead><tr><th scope=\"col\">Store</th><th scope=\"col\">What it holds</th><th scope=\"col\">Keyed by</th><th scope=\"col\">Where</th><th scope=\"col\">Kept</th></tr></thead>\n<tbody>\n");
        foreach (var store in facts.Stores)
        {
            var kept = store.Retention is { } r ? RetentionText.Describe(r) + " " + store.RetentionNote : store.RetentionNote;
            sb.Append("<tr><th scope=\"row\">").Append(h.Encode(store.Name)).Append("</th><td data-label=\"Holds\">").Append(h.Encode(store.Holds))
              .Append("</td><td data-label=\"Keyed by\">").Append(h.Encode(store.KeyedBy)).Append("</td><td data-label=\"Where\">").Append(h.Encode(store.Location))
              .Append("</td><td data-label=\"Kept\">").Append(h.Encode(kept)).Append("</td></tr>\n");
        }

        sb.Append("</tbody>\n</table>\n<h2 id=\"erasure\">Having your data erased</h2>\n<p>").Append(h.Encode(facts.Erasure)).Append("</p>\n")
          .Append("<h2 id=\"notice\">For site owners: the notice under your comment form</h2>\n<p>HTML:</p>\n<pre><code>")
          .Append(h.Encode(facts.Snippet.Html)).Append("</code></pre>\n<p>Plain text:</p>\n<pre><code>").Append(h.Encode(facts.Snippet.Text))
          .Append("</code></pre>\n<p>The same facts as JSON: <a href=\"privacy.json\">privacy.json</a>.</p>\n</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    internal static string Handling(DataHandling handling) => handling switch
    {
        DataHandling.UsedInMemoryDiscarded => "No: used while checking, then discarded",
        DataHandling.StoredPseudonymised => "Only as a keyed pseudonym",
        DataHandling.Stored => "Yes",
        DataHandling.IgnoredDiscarded => "No: not read",
        _ => handling.ToString(),
    };
}

/// <summary>The JSON shape of <see cref="PrivacyFacts"/>: snake_case, retentions in seconds and in words.</summary>
internal sealed record PrivacyJson(
    string OperatorName,
    string OperatorContact,
    string LegalBasis,
    IReadOnlyList<PrivacyJson.Field> Fields,
    IReadOnlyList<PrivacyJson.Store> Stores,
    string Erasure,
    PrivacyJson.Notice Snippet)
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static PrivacyJson From(PrivacyFacts f) => new(
        f.OperatorName, f.OperatorContact, f.LegalBasis,
        [.. f.Fields.Select(x => new Field(x.Field, x.Purpose, x.Handling.ToString(), (long)x.Retention.TotalSeconds, RetentionText.Describe(x.Retention)))],
        [.. f.Stores.Select(x => new Store(x.Name, x.Holds, x.KeyedBy, x.Location, x.Retention is { } r ? (long)r.TotalSeconds : null, x.RetentionNote, x.MaxEntries))],
        f.Erasure,
        new Notice(f.Snippet.Html, f.Snippet.Text));

    internal sealed record Field(string Name, string Purpose, string Handling, long RetentionSeconds, string Retention);

    internal sealed record Store(string Name, string Holds, string KeyedBy, string Location, long? RetentionSeconds, string RetentionNote, long? MaxEntries);

    internal sealed record Notice(string Html, string Text);
}
