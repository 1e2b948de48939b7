using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Privacy;
using SpamGuard.Server.Hosting;
using SpamGuard.Server.Scoring;

namespace SpamGuard.Server.Admin;

/// <summary>
/// spamguard.v1.ModelAdmin. Every call is authenticated with the admin key ("authorization: Bearer &lt;key&gt;");
/// the work is Core's.
/// </summary>
internal sealed class ModelAdminService(
    AdminKeyVerifier keys, ErasureService erasure, SiteKeyService siteKeys, ISiteKeyStore siteKeyStore, SiteKeyGate gate, TimeProvider time)
    : ModelAdmin.ModelAdminBase
{
    private const int MaxFieldBytes = 4096;

    public override async Task<CreateSiteKeyResponse> CreateSiteKey(CreateSiteKeyRequest request, ServerCallContext context)
    {
        Authenticate(context);
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

        var (key, record) = await siteKeys.CreateAsync(sites, context.CancellationToken);
        gate.Invalidate();
        return new CreateSiteKeyResponse { Key = key, Info = Info(record) };
    }

    public override async Task<ListSiteKeysResponse> ListSiteKeys(ListSiteKeysRequest request, ServerCallContext context)
    {
        Authenticate(context);
        var response = new ListSiteKeysResponse();
        response.Keys.Add((await siteKeyStore.ListAsync(context.CancellationToken)).Select(Info));
        return response;
    }

    public override async Task<RevokeSiteKeyResponse> RevokeSiteKey(RevokeSiteKeyRequest request, ServerCallContext context)
    {
        Authenticate(context);
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

    public override async Task<EraseResponse> Erase(EraseRequest request, ServerCallContext context)
    {
        Authenticate(context);
        var result = await erasure.EraseAsync(ToErasure(request), context.CancellationToken);
        return new EraseResponse
        {
            ReputationEntries = result.ReputationEntries,
            CheckRecords = result.CheckRecords,
            LabelledExamples = result.LabelledExamples,
        };
    }

    private void Authenticate(ServerCallContext context)
    {
        if (!keys.IsConfigured)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, "This server has no admin key configured (Admin:Key); admin calls are refused."));
        }

        if (!keys.Matches(BearerToken.From(context)))
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unauthenticated, "A valid admin key is required: metadata \"authorization: Bearer <key>\"."));
        }
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
