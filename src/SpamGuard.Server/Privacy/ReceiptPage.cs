using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;
using SpamGuard.Core.Explanations;

namespace SpamGuard.Server.Privacy;

/// <summary>
/// <c>GET /privacy/receipt/{check_id}</c> (HTML) and <c>…/{check_id}.json</c>: for one check, the verdict, the model
/// version and the very processing entries its response carried, until the check record expires. Unknown, expired and
/// malformed ids all get the same 404 after the same store lookup, so the answer does not reveal which ids exist.
/// </summary>
internal static class ReceiptPage
{
    // Looked up in place of a malformed id, so every 404 costs one store read like a real miss.
    private const string NoSuchCheck = "00000000000000000000000000000000";

    public static IEndpointRouteBuilder MapReceiptPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/privacy/receipt/{id}", async (string id, HttpContext context, ICheckRecordStore records, CancellationToken cancellationToken) =>
        {
            PrivacyPage.Secure(context.Response);
            var json = id.EndsWith(".json", StringComparison.Ordinal);
            var checkId = json ? id[..^".json".Length] : id;
            CheckRecord? record;
            try
            {
                record = await records.GetAsync(CheckId.IsWellFormed(checkId) ? checkId : NoSuchCheck, cancellationToken);
            }
            catch (StoreUnavailableException)
            {
                return Results.Text("Receipts are unavailable for a moment; try again shortly.\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            if (record?.Receipt is not { } receipt || !CheckId.IsWellFormed(checkId))
            {
                return json
                    ? Results.Json(new { error = "No receipt with this id: it never existed or has expired." }, statusCode: StatusCodes.Status404NotFound)
                    : Results.Content(NotFoundHtml, "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
            }

            return json
                ? Results.Json(ReceiptJson.From(record, receipt), PrivacyJson.Options)
                : Results.Content(Render(record, receipt), "text/html; charset=utf-8");
        });
        return endpoints;
    }

    private static readonly string NotFoundHtml =
        PrivacyPage.Opening("No such receipt") + "<p>There is no receipt with this id: it never existed, or the check has expired and everything kept with it was deleted.</p>\n<p><a href=\"../../privacy\">How comment data is processed</a></p>\n</main>\n</body>\n</html>\n";

    internal static string Render(CheckRecord record, CheckReceipt receipt)
    {
        var h = HtmlEncoder.Default;
        var sb = new StringBuilder(4096);
        sb.Append(PrivacyPage.Opening("Receipt for a comment check")).Append("<dl>\n")
          .Append("<dt>Check</dt><dd><code>").Append(h.Encode(record.CheckId)).Append("</code></dd>\n")
          .Append("<dt>Checked at</dt><dd>").Append(h.Encode(record.CheckedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))).Append("</dd>\n")
          .Append("<dt>Verdict</dt><dd>").Append(h.Encode(receipt.Verdict.ToString())).Append(" (spam probability ")
          .Append(receipt.SpamProbability.ToString("0.###", CultureInfo.InvariantCulture)).Append(")</dd>\n")
          .Append("<dt>Model</dt><dd>").Append(h.Encode(receipt.ModelVersion)).Append("</dd>\n</dl>\n")
          .Append("<h2>What was done with each part of the comment</h2>\n<table>\n<thead><tr><th scope=\"col\">Field</th><th scope=\"col\">What it was used for</th><th scope=\"col\">Kept?</th><th scope=\"col\">Until</th><th scope=\"col\">Under</th></tr></thead>\n<tbody>\n");
        foreach (var entry in receipt.Processing)
        {
            var date = (record.CheckedAt + entry.Retention).UtcDateTime.ToString("yyyy-MM-dd 'UTC'", CultureInfo.InvariantCulture);
            // A reputation entry's expiry moves on each time its pseudonym is seen again, so only a stored value
            // without pseudonyms has a fixed last day.
            var until = entry.Retention <= TimeSpan.Zero ? "not kept"
                : entry.Pseudonyms.Count > 0 ? date + ", or later while the same pseudonyms keep being seen"
                : date + " at the latest";
            sb.Append("<tr><th scope=\"row\"><code>").Append(h.Encode(entry.Field)).Append("</code></th><td data-label=\"Used for\">").Append(h.Encode(entry.Purpose))
              .Append("</td><td data-label=\"Kept\">").Append(h.Encode(PrivacyPage.Handling(entry.Handling)))
              .Append("</td><td data-label=\"Until\">").Append(h.Encode(until))
              .Append("</td><td data-label=\"Under\">").Append(h.Encode(entry.Pseudonyms.Count == 0 ? "-" : string.Join(", ", entry.Pseudonyms)))
              .Append("</td></tr>\n");
        }

        sb.Append("</tbody>\n</table>\n<p>This receipt is deleted with the check record. <a href=\"../../privacy\">How comment data is processed</a>.</p>\n</main>\n</body>\n</html>\n");
        return sb.ToString();
    }
}

/// <summary>The JSON shape of a receipt; the processing entries as in the gRPC response (retention in seconds and words).</summary>
internal sealed record ReceiptJson(string CheckId, DateTimeOffset CheckedAt, string Verdict, double SpamProbability, string ModelVersion, IReadOnlyList<ReceiptJson.Entry> Processing)
{
    public static ReceiptJson From(CheckRecord record, CheckReceipt receipt) => new(
        record.CheckId, record.CheckedAt, receipt.Verdict.ToString(), receipt.SpamProbability, receipt.ModelVersion,
        [.. receipt.Processing.Select(p => new Entry(p.Field, p.Purpose, p.Handling.ToString(), (long)p.Retention.TotalSeconds,
            RetentionText.Describe(p.Retention), p.Retention > TimeSpan.Zero ? record.CheckedAt + p.Retention : null, p.Pseudonyms))]);

    internal sealed record Entry(string Field, string Purpose, string Handling, long RetentionSeconds, string Retention, DateTimeOffset? KeptUntil, IReadOnlyList<string> Pseudonyms);
}
