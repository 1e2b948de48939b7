using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Scoring;
using SpamGuard.Server.Hosting;

namespace SpamGuard.Server.Scoring;

/// <summary>
/// spamguard.v1.CommentFilter. Thin on purpose: validation and mapping live in the mappers beside it, scoring in
/// Core's <see cref="CommentScorer"/>, and status codes in <see cref="ErrorMappingInterceptor"/>.
/// </summary>
[BindServiceMethod(typeof(CommentFilterBinding), nameof(CommentFilterBinding.BindService))]
internal sealed class CommentFilterService(
    CommentScorer scorer,
    IOptions<ScoringOptions> options,
    ILogger<CommentFilterService> logger) : CommentFilter.CommentFilterBase
{
    public override Task<CheckCommentResponse> CheckComment(CheckCommentRequest request, ServerCallContext context)
    {
        var comment = request.ToComment(options.Value);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.ScoringComment(logger, Encoding.UTF8.GetByteCount(comment.Content), comment.SiteLanguages.Count);
        }

        var result = scorer.Check(comment);
        Log.CommentChecked(logger, result.CheckId, result.Verdict.ToString(), result.SpamProbability, result.ModelVersion);
        return Task.FromResult(result.ToResponse());
    }
}
