using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Server.Hosting;

/// <summary>
/// The one place that decides gRPC status codes, so services stay thin and every RPC fails the same way:
/// bad input is INVALID_ARGUMENT with a BadRequest detail, a missing model is UNAVAILABLE (retryable), and anything
/// else is INTERNAL with a generic message; exception details reach the caller only in Development.
/// </summary>
internal sealed class ErrorMappingInterceptor(IHostEnvironment environment, ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    private const string InternalMessage = "An internal error occurred while handling the request.";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>The exception to surface instead of <paramref name="ex"/>; null to let it through unchanged.</summary>
    private RpcException? Map(Exception ex, ServerCallContext context)
    {
        switch (ex)
        {
            case RpcException:
                return null;
            // The caller went away or its deadline passed: said as a status, not left to the framework, which would log
            // an exception thrown by a handler with its stack trace, as if the server had failed.
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return context.Deadline <= DateTime.UtcNow
                    ? new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, "The call's deadline passed before it finished; it was stopped."))
                    : new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "The caller cancelled the call; it was stopped."));
            case InvalidRequestException invalid:
                Log.InvalidRequest(logger, context.Method, string.Join(", ", invalid.Violations.Select(v => v.Field)));
                return InvalidArgument(invalid);
            case SpamGuard.Core.Reputation.StoreUnavailableException:
                return new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "A store did not answer in time; retry shortly."));
            case SpamGuard.Core.Keys.SiteCallRefusedException refused:
                return Refused(refused);
            case CheckNotFoundException notFound:
                return new RpcException(new Grpc.Core.Status(StatusCode.NotFound, notFound.Message));
            case ModelNotReadyException:
                Log.ModelNotReady(logger, context.Method);
                return new RpcException(new Grpc.Core.Status(StatusCode.Unavailable,
                    "No spam model is loaded yet; retry shortly."));
            default:
                Log.UnhandledError(logger, context.Method, ex);
                var message = environment.IsDevelopment() ? InternalMessage + " " + ex.GetType().Name + ": " + ex.Message : InternalMessage;
                return new RpcException(new Grpc.Core.Status(StatusCode.Internal, message));
        }
    }

    private static RpcException Refused(SpamGuard.Core.Keys.SiteCallRefusedException refused)
    {
        switch (refused.Reason)
        {
            case SpamGuard.Core.Keys.SiteRefusal.RateLimited:
                var status = new Google.Rpc.Status { Code = (int)Code.ResourceExhausted, Message = refused.Message };
                if (refused.RetryAfter is { } retryAfter)
                {
                    status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
                }

                return status.ToRpcException();
            case SpamGuard.Core.Keys.SiteRefusal.OtherSite:
                return new RpcException(new Grpc.Core.Status(StatusCode.PermissionDenied, refused.Message));
            default:
                return new RpcException(new Grpc.Core.Status(StatusCode.Unauthenticated,
                    refused.Message + " Send it as metadata \"authorization: Bearer <key>\"."));
        }
    }

    private static RpcException InvalidArgument(InvalidRequestException invalid)
    {
        var badRequest = new BadRequest();
        badRequest.FieldViolations.Add(invalid.Violations);
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = invalid.Message,
            Details = { Any.Pack(badRequest) },
        };
        return status.ToRpcException();
    }
}
