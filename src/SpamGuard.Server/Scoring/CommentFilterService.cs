using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;
using SpamGuard.Server.Hosting;

namespace SpamGuard.Server.Scoring;

/// <summary>
/// spamguard.v1.CommentFilter. Thin on purpose: validation and mapping live in the mappers beside it, checks and
/// reports in Core's <see cref="CommentCheckService"/> and <see cref="FeedbackService"/>, and status codes in
/// <see cref="ErrorMappingInterceptor"/>.
/// </summary>
[BindServiceMethod(typeof(CommentFilterBinding), nameof(CommentFilterBinding.BindService))]
internal sealed class CommentFilterService(
    CommentCheckService checks,
    FeedbackService feedback,
    SiteKeyGate gate,
    IOptions<ScoringOptions> options,
    ILogger<CommentFilterService> logger) : CommentFilter.CommentFilterBase
{
    /// <summary>The site key, in the metadata as "authorization: Bearer &lt;key&gt;". Needed once any site key exists.</summary>
    private async Task<bool> AuthorizeAsync(Uri site, ServerCallContext context)
    {
        return await gate.CheckAsync(BearerToken.From(context), site, context.CancellationToken) switch
        {
            SiteAccess.Open => false,
            SiteAccess.Allowed => true,
            SiteAccess.OtherSite => throw new RpcException(new Status(StatusCode.PermissionDenied, "This site key is not for this site.")),
            _ => throw new RpcException(new Status(StatusCode.Unauthenticated, "A valid site key is required: metadata \"authorization: Bearer <key>\".")),
        };
    }

    public override async Task<CheckCommentResponse> CheckComment(CheckCommentRequest request, ServerCallContext context)
    {
        var comment = request.ToComment(options.Value);
        await AuthorizeAsync(comment.Site, context);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.ScoringComment(logger, Encoding.UTF8.GetByteCount(comment.Content), comment.SiteLanguages.Count);
        }

        var result = await checks.CheckAsync(comment, context.CancellationToken);
        Log.CommentChecked(logger, result.CheckId, result.Verdict.ToString(), result.SpamProbability, result.ModelVersion);
        return result.ToResponse();
    }

    public override Task<SubmitFeedbackResponse> SubmitSpam(SubmitFeedbackRequest request, ServerCallContext context) =>
        SubmitAsync(request, ReportLabel.Spam, context);

    public override Task<SubmitFeedbackResponse> SubmitHam(SubmitFeedbackRequest request, ServerCallContext context) =>
        SubmitAsync(request, ReportLabel.Ham, context);

    private async Task<SubmitFeedbackResponse> SubmitAsync(SubmitFeedbackRequest request, ReportLabel label, ServerCallContext context)
    {
        var report = request.ToReport(label, options.Value);
        var keyed = await AuthorizeAsync(new Uri(report.Site), context);
        FeedbackResult result;
        try
        {
            result = await feedback.ReportAsync(report, context.CancellationToken);
        }
        catch (CheckOfAnotherSiteException ex)
        {
            // With keys the caller has proved which site it is, so "not yours" can be said; without, it stays "not found".
            throw new RpcException(keyed
                ? new Status(StatusCode.PermissionDenied, "This check belongs to another site.")
                : new Status(StatusCode.NotFound, ex.Message));
        }

        Log.Reported(logger, result.CheckId, label.ToString(), result.Outcome.ToString());
        return new SubmitFeedbackResponse
        {
            CheckId = result.CheckId,
            Outcome = result.Outcome switch
            {
                Core.Feedback.FeedbackOutcome.Recorded => Contracts.V1.FeedbackOutcome.Recorded,
                Core.Feedback.FeedbackOutcome.Repeated => Contracts.V1.FeedbackOutcome.Repeated,
                Core.Feedback.FeedbackOutcome.Corrected => Contracts.V1.FeedbackOutcome.Corrected,
                Core.Feedback.FeedbackOutcome.Queued => Contracts.V1.FeedbackOutcome.Queued,
                Core.Feedback.FeedbackOutcome.TestNotLearned => Contracts.V1.FeedbackOutcome.TestNotLearned,
                _ => throw new System.Diagnostics.UnreachableException($"Unmapped outcome {result.Outcome}."),
            },
        };
    }
}
