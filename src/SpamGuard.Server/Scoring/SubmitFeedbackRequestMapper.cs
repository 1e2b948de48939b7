using Google.Rpc;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;
using SpamGuard.Server.Hosting;

namespace SpamGuard.Server.Scoring;

/// <summary>Validates a <see cref="SubmitFeedbackRequest"/> and turns it into a Core <see cref="FeedbackReport"/>.</summary>
internal static class SubmitFeedbackRequestMapper
{
    /// <exception cref="InvalidRequestException">One or more fields are invalid.</exception>
    public static FeedbackReport ToReport(this SubmitFeedbackRequest request, ReportLabel label, ScoringOptions limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (request.TargetCase)
        {
            case SubmitFeedbackRequest.TargetOneofCase.CheckId:
            {
                var violations = new List<BadRequest.Types.FieldViolation>();
                if (!CheckId.IsWellFormed(request.CheckId))
                {
                    violations.Add(Violation("check_id", "must be the 32 lowercase hex digits of a CheckComment response's check_id"));
                }

                var site = SiteOf(request.Site, violations);
                return violations.Count > 0 ? throw new InvalidRequestException(violations) : new FeedbackReport(label, site!, request.CheckId, null);
            }

            case SubmitFeedbackRequest.TargetOneofCase.Comment:
            {
                var comment = WithPrefix(() => request.Comment.ToComment(limits), "comment.");
                if (request.Site.Length > 0)
                {
                    var violations = new List<BadRequest.Types.FieldViolation>();
                    var site = SiteOf(request.Site, violations);
                    if (violations.Count == 0 && site != comment.Site.ToString())
                    {
                        violations.Add(Violation("site", "must be empty or the same as comment.site"));
                    }

                    if (violations.Count > 0)
                    {
                        throw new InvalidRequestException(violations);
                    }
                }

                return new FeedbackReport(label, comment.Site.ToString(), null, comment);
            }

            default:
                throw new InvalidRequestException([Violation("target", "set check_id (from a CheckComment response) or comment (the comment sent again)")]);
        }
    }

    /// <summary>The site in the canonical form check records keep (as <see cref="Uri.ToString"/> gives it).</summary>
    private static string? SiteOf(string value, List<BadRequest.Types.FieldViolation> violations)
    {
        if (value.Length == 0)
        {
            violations.Add(Violation("site", "is required (the site's front page as an absolute http or https URL)"));
            return null;
        }

        if (value.Length <= 4096 && Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0)
        {
            return uri.ToString();
        }

        violations.Add(Violation("site", "must be an absolute http or https URL"));
        return null;
    }

    private static T WithPrefix<T>(Func<T> map, string prefix)
    {
        try
        {
            return map();
        }
        catch (InvalidRequestException invalid)
        {
            throw new InvalidRequestException([.. invalid.Violations.Select(v => Violation(prefix + v.Field, v.Description))]);
        }
    }

    private static BadRequest.Types.FieldViolation Violation(string field, string description) =>
        new() { Field = field, Description = description };
}
