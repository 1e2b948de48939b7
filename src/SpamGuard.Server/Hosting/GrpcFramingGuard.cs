using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Net.Compression;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace SpamGuard.Server.Hosting;

/// <summary>
/// Reads the one request message of every unary and server-streaming gRPC call before grpc-dotnet does, and answers
/// a malformed one itself: INVALID_ARGUMENT for a bad compressed flag, a truncated frame, trailing bytes, bad gzip or
/// bytes that are not the request message; RESOURCE_EXHAUSTED over the service's MaxReceiveMessageSize; UNIMPLEMENTED
/// for an unknown grpc-encoding. grpc-dotnet reads the message before any interceptor runs (so before authentication)
/// and answers such calls UNKNOWN or INTERNAL with an Error-level stack trace each, which any client could trigger at
/// will. Here each costs one Debug line. Streaming requests (only server reflection has them) pass through untouched.
/// </summary>
internal sealed class GrpcFramingGuard(RequestDelegate next, IServiceProvider services, ILogger<GrpcFramingGuard> logger)
{
    private const int HeaderSize = 5;

    private readonly ConcurrentDictionary<Type, ServiceLimits> _limits = new();

    private readonly ConcurrentDictionary<Type, Func<IMessage>?> _messages = new();

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } grpc
            || grpc.Method.Type is not (MethodType.Unary or MethodType.ServerStreaming)
            || !IsGrpc(context.Request.ContentType))
        {
            await next(context);
            return;
        }

        var limits = _limits.GetOrAdd(grpc.ServiceType, LimitsOf);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            // The message size limit below is the one that counts, as in grpc-dotnet (which lifts Kestrel's 30 MB).
            size.MaxRequestBodySize = null;
        }

        var (frame, failure) = await ReadFrameAsync(context.Request.BodyReader, limits.MaxMessageBytes, context.RequestAborted);
        if (failure is null && frame is not null)
        {
            failure = Check(grpc.Method, frame, context.Request.Headers["grpc-encoding"].ToString(), limits);
        }

        if (failure is { } refused)
        {
            Log.MalformedGrpcRequest(logger, grpc.Method.FullName, refused.StatusCode.ToString(), refused.Detail);
            WriteStatus(context.Response, refused);
            return;
        }

        // grpc-dotnet reads the same bytes again, from memory.
        var buffered = new MemoryStream(frame!, writable: false);
        context.Request.Body = buffered;
        context.Features.Set<IRequestBodyPipeFeature>(new BufferedBody(PipeReader.Create(buffered)));
        await next(context);
    }

    private static bool IsGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && !contentType.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase);

    /// <summary>The whole frame (header and message), or why it is not one.</summary>
    private static async Task<(byte[]? Frame, Status? Failure)> ReadFrameAsync(PipeReader reader, int maxMessageBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or BadHttpRequestException)
            {
                return (null, new Status(StatusCode.InvalidArgument, "The request body could not be read to its end."));
            }

            var buffer = result.Buffer;
            var failure = (Status?)null;
            var complete = false;
            if (buffer.Length >= HeaderSize)
            {
                var (flag, length) = Header(buffer);
                if (flag > 1)
                {
                    failure = new Status(StatusCode.InvalidArgument, $"The message's compressed flag is {flag}; it must be 0 or 1.");
                }
                else if (length > (uint)maxMessageBytes)
                {
                    failure = new Status(StatusCode.ResourceExhausted, $"The message's length prefix ({length} bytes) exceeds the limit of {maxMessageBytes} bytes.");
                }
                else if (buffer.Length > HeaderSize + length)
                {
                    failure = new Status(StatusCode.InvalidArgument, "The request has bytes after its one message (a wrong length prefix, or a second message).");
                }
                else
                {
                    complete = result.IsCompleted && buffer.Length == HeaderSize + length;
                }
            }

            if (failure is null && !complete && result.IsCompleted)
            {
                failure = new Status(StatusCode.InvalidArgument, buffer.Length < HeaderSize
                    ? "The request has no complete message header (5 bytes: compressed flag and length)."
                    : "The request ends before the message its length prefix announces (truncated).");
            }

            if (failure is not null)
            {
                reader.AdvanceTo(buffer.End);
                return (null, failure);
            }

            if (complete)
            {
                var frame = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return (frame, null);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static (byte Flag, uint Length) Header(ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        return (header[0], BinaryPrimitives.ReadUInt32BigEndian(header[1..]));
    }

    /// <summary>Decompresses (when flagged) and parses the message as the method's request type; null when it is one.</summary>
    private Status? Check(IMethod method, byte[] frame, string encoding, ServiceLimits limits)
    {
        var message = new ReadOnlyMemory<byte>(frame, HeaderSize, frame.Length - HeaderSize);
        if (frame[0] == 1)
        {
            if (encoding.Length == 0 || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                return new Status(StatusCode.InvalidArgument, "The message is flagged compressed but the call has no grpc-encoding.");
            }

            if (limits.Decompressors.FirstOrDefault(p => p.EncodingName.Equals(encoding, StringComparison.OrdinalIgnoreCase)) is not { } provider)
            {
                return new Status(StatusCode.Unimplemented,
                    $"Unsupported grpc-encoding '{encoding}'. Supported encodings: {string.Join(", ", limits.Decompressors.Select(p => p.EncodingName))}");
            }

            try
            {
                using var compressed = new MemoryStream(frame, HeaderSize, frame.Length - HeaderSize, writable: false);
                using var decompressing = provider.CreateDecompressionStream(compressed);
                using var plain = new MemoryStream();
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = decompressing.Read(chunk)) > 0)
                {
                    if (plain.Length + read > limits.MaxMessageBytes)
                    {
                        return new Status(StatusCode.ResourceExhausted, $"The decompressed message exceeds the limit of {limits.MaxMessageBytes} bytes.");
                    }

                    plain.Write(chunk, 0, read);
                }

                message = plain.ToArray();
            }
            catch (InvalidDataException)
            {
                return new Status(StatusCode.InvalidArgument, $"The message is not valid {encoding} data.");
            }
        }

        var factory = _messages.GetOrAdd(method.GetType(), MessageFactory);
        if (factory is null)
        {
            return null;
        }

        try
        {
            factory().MergeFrom(message.Span);
            return null;
        }
        catch (InvalidProtocolBufferException ex)
        {
            return new Status(StatusCode.InvalidArgument, $"The request is not a valid {method.Name} request: {ex.Message}");
        }
    }

    /// <summary>A new, empty request message of the method (<c>Method&lt;TRequest, TResponse&gt;</c>), when it is a protobuf one.</summary>
    private static Func<IMessage>? MessageFactory(Type methodType)
    {
        if (!methodType.IsGenericType || methodType.GetGenericTypeDefinition() != typeof(Method<,>))
        {
            return null;
        }

        var request = methodType.GetGenericArguments()[0];
        return typeof(IMessage).IsAssignableFrom(request) && request.GetConstructor(Type.EmptyTypes) is not null
            ? () => (IMessage)Activator.CreateInstance(request)!
            : null;
    }

    private ServiceLimits LimitsOf(Type serviceType)
    {
        // GrpcServiceOptions<TService> starts from the global options and applies the service's own (ModelAdmin's 64 MiB).
        var optionsType = typeof(IOptions<>).MakeGenericType(typeof(GrpcServiceOptions<>).MakeGenericType(serviceType));
        var options = services.GetService(optionsType) is { } found
            ? (GrpcServiceOptions)optionsType.GetProperty(nameof(IOptions<GrpcServiceOptions>.Value))!.GetValue(found)!
            : services.GetRequiredService<IOptions<GrpcServiceOptions>>().Value;
        // An empty list means grpc-dotnet's default, gzip (it resolves the defaults internally).
        IReadOnlyList<ICompressionProvider> providers = options.CompressionProviders.Count > 0
            ? [.. options.CompressionProviders]
            : [new GzipCompressionProvider(CompressionLevel.Fastest)];
        return new ServiceLimits(options.MaxReceiveMessageSize ?? (4 * 1024 * 1024), providers);
    }

    /// <summary>A trailers-only answer (status in the headers, no body), as grpc-dotnet sends before any message.</summary>
    private static void WriteStatus(HttpResponse response, Status status)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncoded(status.Detail);
    }

    // grpc-message is percent-encoded: printable ASCII other than '%' as it is, every other byte of the UTF-8 as %XX.
    private static string PercentEncoded(string message)
    {
        var encoded = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != '%')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
            }
        }

        return encoded.ToString();
    }

    private sealed record ServiceLimits(int MaxMessageBytes, IReadOnlyList<ICompressionProvider> Decompressors);

    private sealed class BufferedBody(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader => reader;
    }
}
