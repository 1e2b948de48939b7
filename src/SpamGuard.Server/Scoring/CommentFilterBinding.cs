using Google.Protobuf;
using Grpc.Core;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Server.Scoring;

/// <summary>
/// Binds <see cref="CommentFilterService"/> like the generated code does, but with a request deserializer that
/// turns a malformed request (invalid UTF-8 in a string field, a truncated message) into INVALID_ARGUMENT. With the
/// generated one, Google.Protobuf's exception escapes before any interceptor runs and grpc-dotnet answers UNKNOWN.
/// grpc-dotnet takes the most derived [BindServiceMethod] of the service class, so this one wins.
/// </summary>
internal static class CommentFilterBinding
{
    /// <summary>Read by gRPC server reflection, as for the generated binder.</summary>
    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => CommentFilter.Descriptor;

    /// <summary>CheckComment's request marshaller, shared with the bench's no-op method so both parse alike.</summary>
    internal static readonly Marshaller<CheckCommentRequest> CheckCommentRequestMarshaller = Create(CheckCommentRequest.Parser);

    internal static readonly Marshaller<CheckCommentResponse> CheckCommentResponseMarshaller = Create(CheckCommentResponse.Parser);

    private static readonly Method<CheckCommentRequest, CheckCommentResponse> CheckComment = new(
        MethodType.Unary,
        CommentFilter.Descriptor.FullName,
        nameof(CommentFilterService.CheckComment),
        CheckCommentRequestMarshaller,
        CheckCommentResponseMarshaller);

    private static readonly Method<SubmitFeedbackRequest, SubmitFeedbackResponse> SubmitSpam = Feedback(nameof(CommentFilterService.SubmitSpam));

    private static readonly Method<SubmitFeedbackRequest, SubmitFeedbackResponse> SubmitHam = Feedback(nameof(CommentFilterService.SubmitHam));

    // The parameter is the generated base class: grpc-dotnet finds the handler as the override of its method.
    public static void BindService(ServiceBinderBase binder, CommentFilter.CommentFilterBase? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(CheckComment, service is null ? null : new UnaryServerMethod<CheckCommentRequest, CheckCommentResponse>(service.CheckComment));
        binder.AddMethod(SubmitSpam, service is null ? null : new UnaryServerMethod<SubmitFeedbackRequest, SubmitFeedbackResponse>(service.SubmitSpam));
        binder.AddMethod(SubmitHam, service is null ? null : new UnaryServerMethod<SubmitFeedbackRequest, SubmitFeedbackResponse>(service.SubmitHam));
    }

    private static Method<SubmitFeedbackRequest, SubmitFeedbackResponse> Feedback(string name) => new(
        MethodType.Unary,
        CommentFilter.Descriptor.FullName,
        name,
        Create(SubmitFeedbackRequest.Parser),
        Create(SubmitFeedbackResponse.Parser));

    // As the generated code does: the message is written into gRPC's buffer and parsed from its sequence, with no
    // byte[] copy of it per call.
    private static Marshaller<T> Create<T>(MessageParser<T> parser)
        where T : IMessage<T>, IBufferMessage => new(
        static (message, context) =>
        {
            context.SetPayloadLength(message.CalculateSize());
            message.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        context => Parse(parser, context));

    private static T Parse<T>(MessageParser<T> parser, DeserializationContext context)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(context.PayloadAsReadOnlySequence());
        }
        catch (InvalidProtocolBufferException ex)
        {
            // The field is not known here (the parser does not say which), so the message names the problem.
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The request is not a valid {typeof(T).Name}: {ex.Message}"));
        }
    }
}
