using System.Net;
using Google.Rpc;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Privacy;
using SpamGuard.Server.Hosting;

namespace SpamGuard.Server.Admin;

/// <summary>
/// spamguard.v1.ModelAdmin. Every call is authenticated with the admin key ("authorization: Bearer &lt;key&gt;");
/// the work is Core's.
/// </summary>
internal sealed class ModelAdminService(AdminKeyVerifier keys, ErasureService erasure) : ModelAdmin.ModelAdminBase
{
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
