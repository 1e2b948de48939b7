using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Scoring;
using SpamGuard.Server.Hosting;
using CoreComments = SpamGuard.Core.Comments;

namespace SpamGuard.Server.Scoring;

/// <summary>
/// Validates a <see cref="CheckCommentRequest"/> and turns it into a Core <see cref="CoreComments.Comment"/>. Every
/// problem is collected (not just the first), so a client fixes its request in one round-trip.
/// </summary>
internal static partial class CheckCommentRequestMapper
{
    /// <summary>Most site languages accepted; Akismet sites send one to a handful.</summary>
    public const int MaxSiteLanguages = 32;

    /// <summary>Longest accepted site language tag, in characters.</summary>
    public const int MaxSiteLanguageLength = 64;

    // Timestamp's valid range, as in google/protobuf/timestamp.proto: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    // Checks come from a few sites that send their front page with every call: each is parsed once, not per check.
    // Bounded, so a caller inventing sites costs at most this many entries.
    private const int MaxParsedSites = 1024;

    private static readonly ConcurrentDictionary<string, Uri> ParsedSites = new(StringComparer.Ordinal);

    // Dotted quad with no leading zeros: IPAddress.TryParse also takes "1", "1.2.3" and octal "010.0.0.1".
    [GeneratedRegex(@"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$", RegexOptions.CultureInvariant)]
    private static partial Regex DottedQuad();

    // Hex groups, colons and an optional embedded IPv4 tail; no brackets, ports or zone ids, which a web server
    // never reports for a remote client.
    [GeneratedRegex(@"^[0-9A-Fa-f:.]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv6Characters();

    /// <exception cref="InvalidRequestException">One or more fields are invalid.</exception>
    public static CoreComments.Comment ToComment(this CheckCommentRequest request, ScoringOptions limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);
        var violations = new List<BadRequest.Types.FieldViolation>();
        var maxField = limits.MaxFieldBytes;

        var site = RequiredHttpUrl(request.Site, "site", maxField, violations);
        var userIp = OptionalIp(request.UserIp, "user_ip", maxField, violations);
        CheckLength(request.UserAgent, "user_agent", maxField, violations);
        // Browsers send odd referrers (relative, "about:blank", truncated); only the size is checked.
        CheckLength(request.Referrer, "referrer", maxField, violations);
        var permalink = OptionalHttpUrl(request.Permalink, "permalink", maxField, violations);
        var type = MapCommentType(request.CommentType, violations);
        CheckLength(request.Author, "author", maxField, violations);
        CheckEmail(request.AuthorEmail, "author_email", maxField, violations);
        var authorUrl = OptionalHttpUrl(request.AuthorUrl, "author_url", maxField, violations);
        CheckLength(request.Content, "content", limits.MaxContentBytes, violations);
        var commentDate = OptionalTimestamp(request.CommentDate, "comment_date", violations);
        var postModifiedDate = OptionalTimestamp(request.PostModifiedDate, "post_modified_date", violations);
        CheckSiteLanguages(request.SiteLanguages, violations);
        CheckLength(request.Charset, "charset", maxField, violations);
        CheckLength(request.UserRole, "user_role", maxField, violations);
        if (request.Honeypot is { } honeypot)
        {
            CheckLength(honeypot.FieldName, "honeypot.field_name", maxField, violations);
            CheckLength(honeypot.Value, "honeypot.value", maxField, violations);
        }

        if (violations.Count > 0)
        {
            throw new InvalidRequestException(violations);
        }

        return new CoreComments.Comment
        {
            Site = site!,
            UserIp = userIp,
            UserAgent = request.UserAgent,
            Referrer = request.Referrer,
            Permalink = permalink,
            Type = type,
            Author = request.Author,
            AuthorEmail = request.AuthorEmail,
            AuthorUrl = authorUrl,
            Content = request.Content,
            CommentDate = commentDate,
            PostModifiedDate = postModifiedDate,
            SiteLanguages = request.SiteLanguages.Count == 0 ? [] : [.. request.SiteLanguages],
            Charset = request.Charset,
            UserRole = request.UserRole,
            IsTest = request.IsTest,
            Honeypot = request.Honeypot is { } h ? new CoreComments.Honeypot(h.FieldName, h.Value) : null,
            ClientSignals = MapClientSignals(request.ClientSignals),
        };
    }

    internal static Uri? RequiredHttpUrl(string value, string field, int maxBytes, List<BadRequest.Types.FieldViolation> violations)
    {
        if (value.Length == 0)
        {
            Add(violations, field, "is required (the site's front page as an absolute http or https URL)");
            return null;
        }

        // The limit is checked again: it is the caller's, and a site parsed under a larger one may exceed it.
        if (ParsedSites.TryGetValue(value, out var parsed) && WithinLimit(value, maxBytes))
        {
            return parsed;
        }

        var uri = OptionalHttpUrl(value, field, maxBytes, violations);
        if (uri is not null && ParsedSites.Count < MaxParsedSites)
        {
            ParsedSites.TryAdd(value, uri);
        }

        return uri;
    }

    private static Uri? OptionalHttpUrl(string value, string field, int maxBytes, List<BadRequest.Types.FieldViolation> violations)
    {
        if (value.Length == 0 || !CheckLength(value, field, maxBytes, violations))
        {
            return null;
        }

        // Uri also accepts "/path" as an absolute file: URI on Unix, hence the explicit scheme and host checks.
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.Host.Length > 0)
        {
            if (HasAsciiForm(uri))
            {
                return uri;
            }

            Add(violations, field, "has a host name that cannot be written in ASCII (IDNA), so no browser could open it");
            return null;
        }

        Add(violations, field, "must be an absolute http or https URL");
        return null;
    }

    private static bool HasAsciiForm(Uri uri)
    {
        try
        {
            return uri.IdnHost.Length > 0;
        }
        catch (UriFormatException)
        {
            return false;
        }
    }

    // One address, local part '@' domain name, with nothing around it: the domain becomes a model feature, so a
    // value like "a b@c d.com" must not smuggle extra tokens in.
    internal static void CheckEmail(string value, string field, int maxBytes, List<BadRequest.Types.FieldViolation> violations)
    {
        if (value.Length == 0 || !CheckLength(value, field, maxBytes, violations))
        {
            return;
        }

        var at = value.IndexOf('@', StringComparison.Ordinal);
        var valid = at > 0
            && at == value.LastIndexOf('@')
            && !HasSpaceOrControl(value)
            && Uri.CheckHostName(value[(at + 1)..]) == UriHostNameType.Dns;
        if (!valid)
        {
            Add(violations, field, "must be one e-mail address (local part, '@', domain name) without spaces");
        }
    }

    private static bool HasSpaceOrControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    internal static IPAddress? OptionalIp(string value, string field, int maxBytes, List<BadRequest.Types.FieldViolation> violations)
    {
        if (value.Length == 0 || !CheckLength(value, field, maxBytes, violations))
        {
            return null;
        }

        var looksValid = value.Contains(':', StringComparison.Ordinal)
            ? Ipv6Characters().IsMatch(value)
            : DottedQuad().IsMatch(value);
        if (looksValid && IPAddress.TryParse(value, out var address)
            && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Add(violations, field, "must be an IPv4 address in dotted-quad form or an IPv6 address");
        return null;
    }

    private static CoreComments.CommentType MapCommentType(CommentType type, List<BadRequest.Types.FieldViolation> violations)
    {
        switch (type)
        {
            case CommentType.Unspecified:
            case CommentType.Comment:
                return CoreComments.CommentType.Comment;
            case CommentType.ForumPost:
                return CoreComments.CommentType.ForumPost;
            case CommentType.Reply:
                return CoreComments.CommentType.Reply;
            case CommentType.BlogPost:
                return CoreComments.CommentType.BlogPost;
            case CommentType.ContactForm:
                return CoreComments.CommentType.ContactForm;
            case CommentType.Signup:
                return CoreComments.CommentType.Signup;
            case CommentType.Message:
                return CoreComments.CommentType.Message;
            case CommentType.Trackback:
                return CoreComments.CommentType.Trackback;
            case CommentType.Pingback:
                return CoreComments.CommentType.Pingback;
            default:
                // proto3 enums are open: a newer client can send a value this server does not know.
                Add(violations, "comment_type", $"has unknown value {(int)type}");
                return CoreComments.CommentType.Comment;
        }
    }

    private static DateTimeOffset? OptionalTimestamp(Timestamp? value, string field, List<BadRequest.Types.FieldViolation> violations)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds || value.Nanos is < 0 or > 999_999_999)
        {
            Add(violations, field, "must be between 0001-01-01 and 9999-12-31 UTC with nanos in 0..999999999");
            return null;
        }

        return value.ToDateTimeOffset();
    }

    private static void CheckSiteLanguages(RepeatedField<string> languages, List<BadRequest.Types.FieldViolation> violations)
    {
        if (languages.Count > MaxSiteLanguages)
        {
            Add(violations, "site_languages", $"has {languages.Count} entries; at most {MaxSiteLanguages} are accepted");
            return;
        }

        for (var i = 0; i < languages.Count; i++)
        {
            if (languages[i].Length > MaxSiteLanguageLength)
            {
                Add(violations, $"site_languages[{i}]", $"is longer than {MaxSiteLanguageLength} characters");
            }
        }
    }

    private static CoreComments.ClientSignals MapClientSignals(ClientSignals? signals) =>
        signals is null
            ? CoreComments.ClientSignals.Unknown
            : new CoreComments.ClientSignals(
                signals.HasTimeToSubmitMs ? TimeSpan.FromMilliseconds(signals.TimeToSubmitMs) : null,
                signals.HasJavascriptRan ? signals.JavascriptRan : null);

    /// <returns>Whether the value is within the limit.</returns>
    private static bool CheckLength(string value, string field, int maxBytes, List<BadRequest.Types.FieldViolation> violations)
    {
        if (WithinLimit(value, maxBytes))
        {
            return true;
        }

        Add(violations, field, $"is longer than {maxBytes} bytes (UTF-8)");
        return false;
    }

    // Cheap bound first: UTF-8 needs at most 3 bytes per UTF-16 code unit.
    private static bool WithinLimit(string value, int maxBytes) =>
        value.Length * 3L <= maxBytes || Encoding.UTF8.GetByteCount(value) <= maxBytes;

    private static void Add(List<BadRequest.Types.FieldViolation> violations, string field, string description) =>
        violations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
}
