using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;
using SpamGuard.Server.Hosting;

namespace SpamGuard.Server.Scoring;

/// <summary>
/// spamguard.v1.CommentFilter. Thin on purpose: validation and mapping live in the mappers beside it, keys, checks and
/// reports in Core's <see cref="SiteCallService"/> (the same path the Akismet REST facade takes), and status codes in
/// <see cref="ErrorMappingInterceptor"/>. The site key comes as metadata "authorization: Bearer &lt;key&gt;".
/// </summary>
[BindServiceMethod(typeof(CommentFilterBinding), nameof(CommentFilterBinding.BindService))]
internal sealed class CommentFilterService(
    SiteCallService calls,
    IOptions<ScoringOptions> options,
    ILogger<CommentFilterService> logger) : CommentFilter.CommentFilterBase
{
    public override async Task<CheckCommentResponse> CheckComment(CheckCommentRequest request, ServerCallContext context)
    {
        var comment = request.ToComment(options.Value);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.ScoringComment(logger, Encoding.UTF8.GetByteCount(comment.Content), comment.SiteLanguages.Count);
        }

        // From the HTTP request: ServerCallContext.RequestHeaders would build a Metadata copy of every header per call.
        var result = await calls.CheckAsync(BearerToken.From(context.GetHttpContext().Request.Headers.Authorization), comment, context.CancellationToken);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.CommentChecked(logger, result.CheckId, result.Verdict.ToString(), result.SpamProbability, result.ModelVersion);
        }

        return result.ToResponse();
    }

    public override Task<SubmitFeedbackResponse> SubmitSpam(SubmitFeedbackRequest request, ServerCallContext context) =>
        SubmitAsync(request, ReportLabel.Spam, context);

    public override Task<SubmitFeedbackResponse> SubmitHam(SubmitFeedbackRequest request, ServerCallContext context) =>
        SubmitAsync(request, ReportLabel.Ham, context);

    private async Task<SubmitFeedbackResponse> SubmitAsync(SubmitFeedbackRequest request, ReportLabel label, ServerCallContext context)
    {
        var report = request.ToReport(label, options.Value);
        var result = await calls.ReportAsync(BearerToken.From(context), report, context.CancellationToken);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.Reported(logger, result.CheckId, label.ToString(), result.Outcome.ToString());
        }

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
