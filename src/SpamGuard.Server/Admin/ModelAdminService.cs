using System.Net;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Privacy;
using SpamGuard.Server.Hosting;

namespace SpamGuard.Server.Admin;

/// <summary>
/// spamguard.v1.ModelAdmin. Every call is authenticated with the admin key ("authorization: Bearer &lt;key&gt;");
/// the work is Core's.
/// </summary>
internal sealed class ModelAdminService(
    AdminKeyVerifier keys, ErasureService erasure, SiteKeyService siteKeys, ISiteKeyStore siteKeyStore, SiteKeyGate gate, TimeProvider time)
    : ModelAdmin.ModelAdminBase
{
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
            if (request.Sites[i].Length <= 4096 && Uri.TryCreate(request.Sites[i], UriKind.Absolute, out var site) && site.Scheme is "http" or "https" && site.Host.Length > 0)
            {
                sites.Add(site);
            }
            else
            {
                violations.Add(new BadRequest.Types.FieldViolation { Field = $"sites[{i}]", Description = "must be an absolute http or https URL" });
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

        var header = context.RequestHeaders.GetValue("authorization");
        var presented = header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
        if (!keys.Matches(presented))
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unauthenticated, "A valid admin key is required: metadata \"authorization: Bearer <key>\"."));
        }
    }

    private static ErasureRequest ToErasure(EraseRequest request)
    {
        switch (request.SubjectCase)
        {
            case EraseRequest.SubjectOneofCase.Email when request.Email.Contains('@', StringComparison.Ordinal) && request.Email.Length <= 4096:
                return new ErasureRequest(request.Email, null, null);
            case EraseRequest.SubjectOneofCase.Ip when IPAddress.TryParse(request.Ip, out var ip):
                return new ErasureRequest(null, ip, null);
            case EraseRequest.SubjectOneofCase.AuthorUrl
                when Uri.TryCreate(request.AuthorUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0:
                return new ErasureRequest(null, null, url);
            default:
                var field = request.SubjectCase switch
                {
                    EraseRequest.SubjectOneofCase.Email => "email",
                    EraseRequest.SubjectOneofCase.Ip => "ip",
                    EraseRequest.SubjectOneofCase.AuthorUrl => "author_url",
                    _ => "subject",
                };
                throw new InvalidRequestException([new BadRequest.Types.FieldViolation
                {
                    Field = field,
                    Description = field == "subject" ? "set email, ip or author_url" : $"is not a valid {field.Replace('_', ' ')}",
                }]);
        }
    }
}
