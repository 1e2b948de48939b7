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

                var site = SiteOf(request.Site, limits.MaxFieldBytes, violations);
                return violations.Count > 0 ? throw new InvalidRequestException(violations) : new FeedbackReport(label, site!, request.CheckId, null);
            }

            case SubmitFeedbackRequest.TargetOneofCase.Comment:
            {
                var comment = WithPrefix(() => request.Comment.ToComment(limits), "comment.");
                if (request.Site.Length > 0)
                {
                    var violations = new List<BadRequest.Types.FieldViolation>();
                    var site = SiteOf(request.Site, limits.MaxFieldBytes, violations);
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

    /// <summary>The site in the canonical form check records keep (as <see cref="Uri.ToString"/> gives it), validated as
    /// a check's site is.</summary>
    private static string? SiteOf(string value, int maxBytes, List<BadRequest.Types.FieldViolation> violations) =>
        CheckCommentRequestMapper.RequiredHttpUrl(value, "site", maxBytes, violations)?.ToString();

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
