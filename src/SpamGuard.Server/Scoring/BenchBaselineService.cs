using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Server.Scoring;

/// <summary>
/// spamguard.bench.v1.Baseline, mapped only when <see cref="ConfigurationKey"/> is true (<c>spamguard bench --loopback</c>
/// starts the server so). NoOpCheck takes CheckComment's request through the same marshallers, interceptor, Kestrel and
/// gRPC settings and answers an empty response, so a check's cost can be stated as a share of what the gRPC call alone
/// costs on the same host. AllocatedBytes lets the bench divide the server's allocations by the calls it made.
/// </summary>
internal sealed class BenchBaselineService : BenchBaselineBinding.BenchBaselineBase
{
    /// <summary>The setting that maps this service; off unless a bench asks for it.</summary>
    public const string ConfigurationKey = "Bench:Baseline";

    public override Task<CheckCommentResponse> NoOpCheck(CheckCommentRequest request, ServerCallContext context) =>
        Task.FromResult(new CheckCommentResponse());

    public override Task<Int64Value> AllocatedBytes(Empty request, ServerCallContext context) =>
        Task.FromResult(new Int64Value { Value = GC.GetTotalAllocatedBytes(precise: true) });
}

/// <summary>Binds <see cref="BenchBaselineService"/> by hand: it has no proto of its own, being no part of the API.</summary>
internal static class BenchBaselineBinding
{
    /// <summary>What generated code would declare: grpc-dotnet finds each handler as the override of a method here.</summary>
    [BindServiceMethod(typeof(BenchBaselineBinding), nameof(BindService))]
    internal abstract class BenchBaselineBase
    {
        public abstract Task<CheckCommentResponse> NoOpCheck(CheckCommentRequest request, ServerCallContext context);

        public abstract Task<Int64Value> AllocatedBytes(Empty request, ServerCallContext context);
    }

    public const string ServiceName = "spamguard.bench.v1.Baseline";

    private static readonly Method<CheckCommentRequest, CheckCommentResponse> NoOpCheck = new(
        MethodType.Unary, ServiceName, nameof(BenchBaselineService.NoOpCheck),
        CommentFilterBinding.CheckCommentRequestMarshaller, CommentFilterBinding.CheckCommentResponseMarshaller);

    private static readonly Method<Empty, Int64Value> AllocatedBytes = new(
        MethodType.Unary, ServiceName, nameof(BenchBaselineService.AllocatedBytes),
        Marshallers.Create(static (Empty m) => m.ToByteArray(), Empty.Parser.ParseFrom),
        Marshallers.Create(static (Int64Value m) => m.ToByteArray(), Int64Value.Parser.ParseFrom));

    public static void BindService(ServiceBinderBase binder, BenchBaselineBase? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(NoOpCheck, service is null ? null : new UnaryServerMethod<CheckCommentRequest, CheckCommentResponse>(service.NoOpCheck));
        binder.AddMethod(AllocatedBytes, service is null ? null : new UnaryServerMethod<Empty, Int64Value>(service.AllocatedBytes));
    }
}
