using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Scoring;
using SpamGuard.Server.Hosting;
using SpamGuard.Server.Scoring;

namespace SpamGuard.Server.Akismet;

/// <summary>A request Akismet's protocol cannot take: answered <c>invalid</c> with the reason in the debug header.</summary>
internal sealed class AkismetInvalidException(string reason) : Exception(reason);

/// <summary>
/// An Akismet REST call's form, read with limits, and its mapping onto the gRPC request, so both protocols go through
/// the same validation (<see cref="Scoring.CheckCommentRequestMapper"/>) and the same Core call.
/// </summary>
internal sealed class AkismetForm
{
    /// <summary>Largest accepted body: the 64 KiB content percent-encoded (up to 3 bytes per byte) plus the rest.</summary>
    private static long MaxBodyBytes(ScoringOptions limits) => (limits.MaxContentBytes * 3L) + (64 * 1024);

    // Akismet field → the gRPC request field it becomes; used to name Akismet's field in error messages.
    private static readonly Dictionary<string, string> AkismetNameOf = new(StringComparer.Ordinal)
    {
        ["site"] = "blog",
        ["author"] = "comment_author",
        ["author_email"] = "comment_author_email",
        ["author_url"] = "comment_author_url",
        ["content"] = "comment_content",
        ["comment_date"] = "comment_date_gmt",
        ["post_modified_date"] = "comment_post_modified_gmt",
        ["site_languages"] = "blog_lang",
        ["charset"] = "blog_charset",
        ["honeypot.field_name"] = "honeypot_field_name",
        ["check_id"] = "guid",
    };

    private static readonly Dictionary<string, CommentType> CommentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["comment"] = CommentType.Comment,
        ["forum-post"] = CommentType.ForumPost,
        ["reply"] = CommentType.Reply,
        ["blog-post"] = CommentType.BlogPost,
        ["contact-form"] = CommentType.ContactForm,
        ["signup"] = CommentType.Signup,
        ["message"] = CommentType.Message,
        ["trackback"] = CommentType.Trackback,
        ["pingback"] = CommentType.Pingback,
    };

    private readonly IFormCollection _fields;

    private AkismetForm(IFormCollection fields, string? key)
    {
        _fields = fields;
        Key = key;
    }

    /// <summary>The key, from the <c>api_key</c> field, the older <c>key</c> field, the first label of the host name
    /// (<c>{key}.rest.example</c>) or an <c>Authorization: Bearer</c> header, in that order.</summary>
    public string? Key { get; }

    public string Blog => Get("blog");

    public string Guid => Get("guid");

    /// <exception cref="AkismetInvalidException">Not a form, too large, or not parseable.</exception>
    public static async Task<AkismetForm> ReadAsync(HttpContext context, ScoringOptions limits, bool bodyRequired)
    {
        var request = context.Request;
        IFormCollection fields = FormCollection.Empty;
        if (HttpMethods.IsPost(request.Method) && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0 || bodyRequired))
        {
            if (!request.HasFormContentType)
            {
                throw new AkismetInvalidException("Send the fields as a form: Content-Type application/x-www-form-urlencoded.");
            }

            // The framework would throw (a 500) on a charset it cannot decode, such as UTF-7, which it refuses.
            if (FormCharset.Unsupported(request.ContentType) is { } charset)
            {
                throw new AkismetInvalidException(FormCharset.Describe(charset));
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = MaxBodyBytes(limits);
            }

            try
            {
                fields = await request.ReadFormAsync(new FormOptions
                {
                    ValueCountLimit = 256,
                    KeyLengthLimit = 1024,
                    // Field sizes are checked by the request validator, which names the field; this only bounds memory.
                    ValueLengthLimit = (int)MaxBodyBytes(limits),
                    MultipartBodyLengthLimit = MaxBodyBytes(limits),
                }, context.RequestAborted);
            }
            catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException or FormatException)
            {
                throw new AkismetInvalidException($"The form could not be read: {ex.Message}");
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                // A multipart part declaring a charset the runtime refuses (UTF-7) or does not know; the top-level
                // Content-Type was checked above.
                throw new AkismetInvalidException("A part of the form declares a charset this server does not read: send every part as UTF-8.");
            }
        }
        else if (bodyRequired && !HttpMethods.IsPost(request.Method))
        {
            throw new AkismetInvalidException("Use POST with a form body.");
        }

        var query = request.Query;
        var key = First(fields, "api_key") ?? First(fields, "key") ?? First(query, "api_key") ?? KeyFromHost(request.Host) ?? BearerToken.From(request.Headers.Authorization.ToString());
        return new AkismetForm(MergeQuery(fields, query), key);
    }

    /// <summary>The comment, validated by the gRPC request's mapper; every problem is reported at once.</summary>
    /// <exception cref="InvalidRequestException">One or more fields are invalid.</exception>
    public Core.Comments.Comment ToComment(ScoringOptions limits) => Validated(violations => ToCheckRequest(violations).ToComment(limits));

    /// <summary>A report: by guid when the client sends the comment-check's guid, else the comment sent again.</summary>
    /// <exception cref="InvalidRequestException">One or more fields are invalid.</exception>
    public Core.Feedback.FeedbackReport ToReport(Core.Reputation.ReportLabel label, ScoringOptions limits, bool byGuid) =>
        Validated(violations => (byGuid
            ? new SubmitFeedbackRequest { Site = Blog, CheckId = Guid }
            : new SubmitFeedbackRequest { Site = Blog, Comment = ToCheckRequest(violations) }).ToReport(label, limits));

    private static T Validated<T>(Func<List<BadRequest.Types.FieldViolation>, T> map)
    {
        var violations = new List<BadRequest.Types.FieldViolation>();
        T mapped;
        try
        {
            mapped = map(violations);
        }
        catch (InvalidRequestException ex)
        {
            throw new InvalidRequestException([.. violations, .. ex.Violations]);
        }

        return violations.Count > 0 ? throw new InvalidRequestException(violations) : mapped;
    }

    /// <summary>The comment as a gRPC request; the form-only problems (dates) are added to <paramref name="violations"/>.</summary>
    private CheckCommentRequest ToCheckRequest(List<BadRequest.Types.FieldViolation> violations)
    {
        var request = new CheckCommentRequest
        {
            Site = Get("blog"),
            UserIp = Get("user_ip"),
            UserAgent = Get("user_agent"),
            Referrer = Get("referrer") is { Length: > 0 } referrer ? referrer : Get("referer"),
            Permalink = Get("permalink"),
            CommentType = CommentTypes.GetValueOrDefault(Get("comment_type"), CommentType.Unspecified),
            Author = Get("comment_author"),
            AuthorEmail = Get("comment_author_email"),
            AuthorUrl = Get("comment_author_url"),
            Content = Get("comment_content"),
            CommentDate = Date("comment_date_gmt", violations),
            PostModifiedDate = Date("comment_post_modified_gmt", violations),
            Charset = Get("blog_charset"),
            UserRole = Get("user_role"),
            IsTest = Get("is_test") is { Length: > 0 } test && test != "0" && !test.Equals("false", StringComparison.OrdinalIgnoreCase),
        };
        request.SiteLanguages.Add(Get("blog_lang").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        if (Get("honeypot_field_name") is { Length: > 0 } honeypot)
        {
            request.Honeypot = new Honeypot { FieldName = honeypot, Value = Get(honeypot) };
        }

        return request;
    }

    public bool HasComment => Get("comment_content").Length > 0 || Get("user_ip").Length > 0 || Get("comment_author").Length > 0;

    /// <summary>The validator's complaints in Akismet's field names, for the debug header.</summary>
    public static string Describe(InvalidRequestException invalid) =>
        string.Join("; ", invalid.Violations.Select(v => $"{AkismetName(v.Field)} {v.Description}"));

    public string Get(string name) => First(_fields, name) ?? "";

    private static string AkismetName(string field)
    {
        var bare = field.StartsWith("comment.", StringComparison.Ordinal) ? field["comment.".Length..] : field;
        var indexed = bare.IndexOf('[', StringComparison.Ordinal);
        var name = indexed > 0 ? bare[..indexed] : bare;
        return AkismetNameOf.GetValueOrDefault(name, name);
    }

    private Timestamp? Date(string field, List<BadRequest.Types.FieldViolation> violations)
    {
        var value = Get(field);
        if (value.Length == 0)
        {
            return null;
        }

        // ISO 8601 as Akismet documents, and WordPress's "2026-11-29 10:15:00" (GMT); no zone means UTC.
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var at))
        {
            return Timestamp.FromDateTimeOffset(at);
        }

        violations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = "must be an ISO 8601 date and time (GMT)" });
        return null;
    }

    private static string? KeyFromHost(HostString host)
    {
        var name = host.Host;
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return null;
        }

        // Host names are case-insensitive and clients lowercase them; keys are lowercase.
        var label = name[..dot].ToLowerInvariant();
        return SiteKeyService.LooksLikeKey(label) ? label : null;
    }

    private static string? First(IEnumerable<KeyValuePair<string, StringValues>> values, string name)
    {
        foreach (var (key, value) in values)
        {
            if (string.Equals(key, name, StringComparison.Ordinal) && value.Count > 0 && !string.IsNullOrEmpty(value[0]))
            {
                return value[0];
            }
        }

        return null;
    }

    // Some clients put a few fields (api_key, blog) in the query string; the form wins where both have one.
    private static IFormCollection MergeQuery(IFormCollection form, IQueryCollection query)
    {
        if (query.Count == 0)
        {
            return form;
        }

        var merged = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        foreach (var (key, value) in query)
        {
            merged[key] = value;
        }

        foreach (var (key, value) in form)
        {
            merged[key] = value;
        }

        return new FormCollection(merged);
    }
}
