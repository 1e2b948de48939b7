using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Privacy;
using SpamGuard.ML.Registry;
using SpamGuard.ML.Retraining;
using SpamGuard.Server.Hosting;
using SpamGuard.Server.Scoring;

namespace SpamGuard.Server.Admin;

/// <summary>
/// spamguard.v1.ModelAdmin. Every call is authenticated with the admin key ("authorization: Bearer &lt;key&gt;");
/// the work is Core's.
/// </summary>
internal sealed class ModelAdminService(
    AdminAuthenticator admins,
    ErasureService erasure,
    SiteKeyService siteKeys,
    ISiteKeyStore siteKeyStore,
    SiteKeyGate gate,
    ModelRegistry registry,
    RetrainCoordinator retraining,
    ReportAdministration reports,
    FeedbackService feedback,
    CheckOutbox outbox,
    TimeProvider time)
    : ModelAdmin.ModelAdminBase
{
    private const int MaxFieldBytes = 4096;

    public override async Task<CreateSiteKeyResponse> CreateSiteKey(CreateSiteKeyRequest request, ServerCallContext context)
    {
        await admins.AuthenticateAsync(context);
        var violations = new List<BadRequest.Types.FieldViolation>();
        var sites = new List<Uri>();
        if (request.Sites.Count == 0)
        {
            violations.Add(new BadRequest.Types.FieldViolation { Field = "sites", Description = "name at least one site (absolute http or https URL)" });
        }

        for (var i = 0; i < request.Sites.Count; i++)
        {
            if (CheckCommentRequestMapper.RequiredHttpUrl(request.Sites[i], $"sites[{i}]", MaxFieldBytes, violations) is { } site)
            {
                sites.Add(site);
            }
        }

        if (violations.Count > 0)
        {
            throw new InvalidRequestException(violations);
        }

        var form = request.Form == KeyForm.Long ? SiteKeyForm.Base32 : SiteKeyForm.Akismet;
        var (key, record) = await siteKeys.CreateAsync(sites, form, context.CancellationToken);
        gate.Invalidate();
        return new CreateSiteKeyResponse { Key = key, Info = Info(record) };
    }

    public override async Task<ListSiteKeysResponse> ListSiteKeys(ListSiteKeysRequest request, ServerCallContext context)
    {
        await admins.AuthenticateAsync(context);
        var response = new ListSiteKeysResponse();
        response.Keys.Add((await siteKeyStore.ListAsync(context.CancellationToken)).Select(Info));
        return response;
    }

    public override async Task<RevokeSiteKeyResponse> RevokeSiteKey(RevokeSiteKeyRequest request, ServerCallContext context)
    {
        await admins.AuthenticateAsync(context);
        if (!await siteKeyStore.RevokeAsync(request.Id, time.GetUtcNow(), context.CancellationToken))
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, "No site key with this id."));
        }

        gate.Invalidate();

        var record = (await siteKeyStore.ListAsync(context.CancellationToken)).Single(k => k.Id == request.Id);
        return new RevokeSiteKeyResponse { Info = Info(record) };
    }

    private static SiteKeyInfo Info(SiteKey key)
    {
        var info = new SiteKeyInfo { Id = key.Id, CreatedAt = Timestamp.FromDateTimeOffset(key.CreatedAt) };
        info.Sites.Add(key.Sites);
        if (key.RevokedAt is { } revoked)
        {
            info.RevokedAt = Timestamp.FromDateTimeOffset(revoked);
        }

        return info;
    }

    public override async Task Retrain(RetrainRequest request, IServerStreamWriter<RetrainProgress> responseStream, ServerCallContext context)
    {
        await admins.AuthenticateAsync(context);
        var (job, joined) = retraining.StartOrJoin(request.HasAutoPromote ? request.AutoPromote : null);
        // Leaving (the client's cancellation) ends this stream only; the job goes on.
        await foreach (var status in job.WatchAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(ModelInfoMapper.ToProgress(job.Id, status, joined), context.CancellationToken);
        }
    }

    public override async Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        await admins.AuthenticateAsync(context);
        var (models, activation) = await registry.ListAsync(context.CancellationToken);
        var response = new ListModelsResponse { ActiveVersion = activation.Active ?? "", PreviousVersion = activation.Previous ?? "" };
        response.Models.Add(models.Select(m => ModelInfoMapper.ToInfo(m, m.Version == activation.Active)));
        return response;
    }

    public override async Task<ModelInfo> GetModel(GetModelRequest request, ServerCallContext context)
    {
        await admins.AuthenticateAsync(context);
        RequireVersion(request.Version, "version");
        var model = await registry.GetAsync(request.Version, context.CancellationToken)
            ?? throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, $"No model version '{request.Version}' is stored."));
        var activation = await registry.GetActivationAsync(context.CancellationToken);
        return ModelInfoMapper.ToInfo(model, model.Version == activation.Active);
    }

    public override async Task<ActivateModelResponse> ActivateModel(ActivateModelRequest request, ServerCallContext context)
    {
        await admins.AuthenticateAsync(context);
        if (request.TargetCase == ActivateModelRequest.TargetOneofCase.Version)
        {
            RequireVersion(request.Version, "version");
        }
        else if (!request.Rollback)
        {
            throw new InvalidRequestException([new BadRequest.Types.FieldViolation { Field = "target", Description = "set version, or rollback = true" }]);
        }

        try
        {
            var activation = request.TargetCase == ActivateModelRequest.TargetOneofCase.Version
                ? await registry.ActivateAsync(request.Version, context.CancellationToken)
                : await registry.RollbackAsync(context.CancellationToken);
            return new ActivateModelResponse { ActiveVersion = activation.Active ?? "", PreviousVersion = activation.Previous ?? "" };
        }
        catch (ModelRejectedException ex)
        {
            throw new RpcException(new Grpc.Core.Status(ex.IsUnknownVersion ? StatusCode.NotFound : StatusCode.FailedPrecondition,
                ex.Message + " The active model is unchanged."));
        }
    }

    public override async Task<ModelInfo> UploadModel(UploadModelRequest request, ServerCallContext context)
    {
        await admins.AuthenticateAsync(context);
        var violations = new List<BadRequest.Types.FieldViolation>();
        if (request.ModelZip.IsEmpty)
        {
            violations.Add(new BadRequest.Types.FieldViolation { Field = "model_zip", Description = "is required (the model zip `spamguard train` writes)" });
        }

        if (request.CardJson.Length == 0)
        {
            violations.Add(new BadRequest.Types.FieldViolation { Field = "card_json", Description = "is required (the .json card beside the zip)" });
        }

        if (violations.Count > 0)
        {
            throw new InvalidRequestException(violations);
        }

        string version;
        try
        {
            version = await registry.RegisterAsync(request.ModelZip.Memory, request.CardJson, context.CancellationToken);
        }
        catch (ModelRejectedException ex)
        {
            throw new InvalidRequestException([new BadRequest.Types.FieldViolation { Field = "model_zip", Description = ex.Message }]);
        }

        var (models, activation) = await registry.ListAsync(context.CancellationToken);
        return ModelInfoMapper.ToInfo(models.First(m => m.Version == version), version == activation.Active);
    }

    public override async Task<FeedbackStatsResponse> GetFeedbackStats(GetFeedbackStatsRequest request, ServerCallContext context)
    {
        await admins.AuthenticateAsync(context);
        var stats = await reports.StatsAsync(context.CancellationToken);
        var response = new FeedbackStatsResponse
        {
            Spam = stats.Spam,
            Ham = stats.Ham,
            ReportsPending = feedback.PendingReports,
            ReportsFailed = feedback.FailedReports,
            ChecksWaiting = outbox.Count,
        };
        response.Days.Add(stats.Days.Select(d => new Contracts.V1.FeedbackDay
        {
            Day = d.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Spam = d.Spam,
            Ham = d.Ham,
        }));
        return response;
    }

    public override async Task<CorrectReportResponse> CorrectReport(CorrectReportRequest request, ServerCallContext context)
    {
        await admins.AuthenticateAsync(context);
        var violations = new List<BadRequest.Types.FieldViolation>();
        if (!Core.Scoring.CheckId.IsWellFormed(request.CheckId))
        {
            violations.Add(new BadRequest.Types.FieldViolation { Field = "check_id", Description = "must be the 32 lowercase hex digits of a check id" });
        }

        var label = request.ChangeCase switch
        {
            CorrectReportRequest.ChangeOneofCase.Label when request.Label == ReportedLabel.Spam => Core.Reputation.ReportLabel.Spam,
            CorrectReportRequest.ChangeOneofCase.Label when request.Label == ReportedLabel.Ham => Core.Reputation.ReportLabel.Ham,
            _ => (Core.Reputation.ReportLabel?)null,
        };
        if (label is null && !(request.ChangeCase == CorrectReportRequest.ChangeOneofCase.Delete && request.Delete))
        {
            violations.Add(new BadRequest.Types.FieldViolation { Field = "change", Description = "set label (REPORTED_LABEL_SPAM or REPORTED_LABEL_HAM) or delete = true" });
        }

        if (violations.Count > 0)
        {
            throw new InvalidRequestException(violations);
        }

        var changed = label is { } l
            ? await reports.CorrectAsync(request.CheckId, l, context.CancellationToken)
            : await reports.DeleteAsync(request.CheckId, context.CancellationToken);
        return new CorrectReportResponse { Examples = changed };
    }

    private static void RequireVersion(string version, string field)
    {
        if (!Core.Models.ModelVersions.IsValid(version))
        {
            throw new InvalidRequestException([new BadRequest.Types.FieldViolation { Field = field, Description = "must be a model version such as spamguard-1.0.0" }]);
        }
    }

    public override async Task<EraseResponse> Erase(EraseRequest request, ServerCallContext context)
    {
        await admins.AuthenticateAsync(context);
        var result = await erasure.EraseAsync(ToErasure(request), context.CancellationToken);
        return new EraseResponse
        {
            ReputationEntries = result.ReputationEntries,
            CheckRecords = result.CheckRecords,
            LabelledExamples = result.LabelledExamples,
            DiskCopies = result.DiskCopies.Note,
        };
    }

    private static ErasureRequest ToErasure(EraseRequest request)
    {
        // The same rules as the fields of a check, so an erasure finds exactly what a check would have stored.
        var violations = new List<BadRequest.Types.FieldViolation>();
        ErasureRequest? erasure = null;
        switch (request.SubjectCase)
        {
            case EraseRequest.SubjectOneofCase.Email:
                CheckCommentRequestMapper.CheckEmail(request.Email, "email", MaxFieldBytes, violations);
                erasure = request.Email.Length > 0 ? new ErasureRequest(request.Email, null, null) : null;
                break;
            case EraseRequest.SubjectOneofCase.Ip:
                erasure = CheckCommentRequestMapper.OptionalIp(request.Ip, "ip", MaxFieldBytes, violations) is { } ip ? new ErasureRequest(null, ip, null) : null;
                break;
            case EraseRequest.SubjectOneofCase.AuthorUrl:
                erasure = CheckCommentRequestMapper.RequiredHttpUrl(request.AuthorUrl, "author_url", MaxFieldBytes, violations) is { } url ? new ErasureRequest(null, null, url) : null;
                break;
        }

        if (erasure is null && violations.Count == 0)
        {
            var field = request.SubjectCase switch
            {
                EraseRequest.SubjectOneofCase.Email => "email",
                EraseRequest.SubjectOneofCase.Ip => "ip",
                _ => "subject",
            };
            violations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = field == "subject" ? "set email, ip or author_url" : "is required" });
        }

        return violations.Count == 0 ? erasure! : throw new InvalidRequestException(violations);
    }
}
