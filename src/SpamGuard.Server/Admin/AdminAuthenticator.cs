using Grpc.Core;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Keys;
using SpamGuard.Server.Hosting;

namespace SpamGuard.Server.Admin;

/// <summary>
/// Admits ModelAdmin calls: the admin key, compared in constant time. A blog's site key is recognised and refused as
/// PERMISSION_DENIED (it is a valid key, just not for this), anything else as UNAUTHENTICATED.
/// </summary>
internal sealed class AdminAuthenticator(AdminKeyVerifier keys, SiteKeyGate gate, SpamGuardMetrics metrics)
{
    public async Task AuthenticateAsync(ServerCallContext context)
    {
        if (!keys.IsConfigured)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "This server has no admin key configured (Admin:Key); admin calls are refused."));
        }

        var presented = BearerToken.From(context);
        if (keys.Matches(presented))
        {
            return;
        }

        if (SiteKeyService.LooksLikeKey(presented) && await gate.FindAsync(presented, context.CancellationToken) is not null)
        {
            metrics.AuthFailed("admin", "site_key");
            throw new RpcException(new Status(StatusCode.PermissionDenied, "A site key cannot make admin calls; use the admin key."));
        }

        metrics.AuthFailed("admin", string.IsNullOrWhiteSpace(presented) ? "missing" : "invalid");
        throw new RpcException(new Status(StatusCode.Unauthenticated, "A valid admin key is required: metadata \"authorization: Bearer <key>\"."));
    }
}
