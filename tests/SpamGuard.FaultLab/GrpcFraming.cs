using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using SpamGuard.Contracts.V1;

namespace SpamGuard.FaultLab;

/// <summary>
/// Malformed gRPC framing and message bytes sent as raw HTTP/2 (h2c with prior knowledge) to CommentFilter, ModelAdmin
/// (no admin key) and health: bad length prefixes, flags, compression, truncation, invalid protobuf. Every answer must
/// carry a gRPC status other than INTERNAL / UNKNOWN, and no HTTP 5xx.
/// </summary>
internal sealed class GrpcFraming(Uri grpcAddress, LabSite site, LabCounters counters)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = TimeSpan.FromSeconds(20) };
        var methods = new (string Path, string? Key)[]
        {
            ("/spamguard.v1.CommentFilter/CheckComment", site.Key),
            ("/spamguard.v1.CommentFilter/SubmitSpam", site.Key),
            ("/spamguard.v1.ModelAdmin/ListModels", null),
            ("/grpc.health.v1.Health/Check", null),
        };
        foreach (var (path, key) in methods)
        {
            foreach (var (name, encoding, body) in Corpus())
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(grpcAddress, path))
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                    Content = new ByteArrayContent(body),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
                request.Headers.TryAddWithoutValidation("te", "trailers");
                if (encoding is not null)
                {
                    request.Headers.TryAddWithoutValidation("grpc-encoding", encoding);
                }

                if (key is not null)
                {
                    request.Headers.TryAddWithoutValidation("authorization", "Bearer " + key);
                }

                await SendAsync(http, request, $"{name} → {path}", cancellationToken);
            }
        }
    }

    private async Task SendAsync(HttpClient http, HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        counters.Add("framing_sent");
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var status = Header(response.Headers, "grpc-status") ?? Header(response.TrailingHeaders, "grpc-status");
            if ((int)response.StatusCode >= 500)
            {
                counters.Add("http_5xx");
                counters.Note($"HTTP {(int)response.StatusCode} for framing '{what}'");
            }

            switch (status)
            {
                case null:
                    counters.Add("framing_no_grpc_status");
                    counters.Add("grpc_internal");
                    counters.Note($"no grpc-status (HTTP {(int)response.StatusCode}) for framing '{what}'");
                    break;
                case "13" or "2":
                    counters.Add("grpc_internal");
                    counters.Add(status == "13" ? "framing_internal" : "framing_unknown");
                    break;
                default:
                    counters.Add("framing_status_" + status);
                    break;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            counters.Add("framing_no_answer");
            counters.Add("grpc_internal");
            counters.Note($"no answer for framing '{what}': {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private IEnumerable<(string Name, string? Encoding, byte[] Body)> Corpus()
    {
        var message = new CheckCommentRequest { Site = site.Url, UserIp = "192.0.2.1", Content = "framing probe", IsTest = true }.ToByteArray();
        var gzipped = Gzip(message);
        yield return ("valid", null, Frame(0, message));
        yield return ("empty body", null, []);
        yield return ("3-byte header", null, [0, 0, 0]);
        yield return ("length beyond body", null, Frame(0, message, message.Length + 100));
        yield return ("length 0xFFFFFFFF", null, Frame(0, message, uint.MaxValue));
        yield return ("length 0x7FFFFFFF", null, Frame(0, message, int.MaxValue));
        yield return ("truncated message", null, Frame(0, message)[..(5 + (message.Length / 2))]);
        yield return ("flags 0x02", null, Frame(2, message));
        yield return ("flags 0x80", null, Frame(0x80, message));
        yield return ("flags 0xFF", null, Frame(0xFF, message));
        yield return ("compressed flag without encoding", null, Frame(1, gzipped));
        yield return ("gzip garbage", "gzip", Frame(1, [0x1F, 0x8B, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
        yield return ("gzip not gzip", "gzip", Frame(1, message));
        yield return ("gzip truncated", "gzip", Frame(1, gzipped[..(gzipped.Length / 2)]));
        yield return ("gzip bomb 64 MiB", "gzip", Frame(1, Gzip(new byte[64 << 20])));
        yield return ("unknown encoding", "x-lab", Frame(1, message));
        yield return ("two messages", null, [.. Frame(0, message), .. Frame(0, message)]);
        yield return ("trailing bytes", null, [.. Frame(0, message), 1, 2]);
        yield return ("garbage protobuf", null, Frame(0, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]));
        yield return ("invalid utf-8 string", null, Frame(0, [0x0A, 0x02, 0xC3, 0x28]));
        yield return ("wrong wire type", null, Frame(0, [0x08, 0x96, 0x01, 0x15, 0, 0, 0, 0]));
        yield return ("length-delimited overrun", null, Frame(0, [0x52, 0xFF, 0xFF, 0xFF, 0x0F, 0x41]));
        yield return ("deep nesting", null, Frame(0, Nested(200)));
        yield return ("group soup", null, Frame(0, [.. Enumerable.Repeat((byte)0x0B, 1000)]));
        yield return ("5 MiB message", null, Frame(0, new CheckCommentRequest { Site = site.Url, Content = new string('x', 5 << 20) }.ToByteArray()));
    }

    private static byte[] Frame(byte flags, byte[] payload, long? declaredLength = null)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(declaredLength ?? payload.Length));
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>client_signals (field 18) nested inside itself as unknown length-delimited fields, many levels deep.</summary>
    private static byte[] Nested(int depth)
    {
        byte[] inner = [];
        for (var i = 0; i < depth; i++)
        {
            var output = new MemoryStream();
            var writer = new CodedOutputStream(output);
            writer.WriteTag(18, WireFormat.WireType.LengthDelimited);
            writer.WriteBytes(ByteString.CopyFrom(inner));
            writer.Flush();
            inner = output.ToArray();
        }

        return inner;
    }
}
