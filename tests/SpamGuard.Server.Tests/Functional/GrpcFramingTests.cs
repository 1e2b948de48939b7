using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// Crafted gRPC frames over raw HTTP/2 (h2c, prior knowledge) to a real server: every malformed request gets
/// INVALID_ARGUMENT or RESOURCE_EXHAUSTED on every service (before authentication on ModelAdmin), and none is logged
/// with a stack trace.
/// </summary>
public sealed class GrpcFramingTests : IAsyncLifetime, IDisposable
{
    private static readonly string[] Methods =
    [
        "/spamguard.v1.CommentFilter/CheckComment",
        "/spamguard.v1.CommentFilter/SubmitSpam",
        "/spamguard.v1.ModelAdmin/ListModels",
        "/spamguard.v1.ModelAdmin/UploadModel",
        "/grpc.health.v1.Health/Check",
        "/grpc.health.v1.Health/Watch",
    ];

    // A health request naming a service; as bytes, a valid message of every method here (unknown fields are skipped).
    private static readonly byte[] SmallRequest = new Grpc.Health.V1.HealthCheckRequest { Service = "x" }.ToByteArray();

    private readonly CapturingLoggerProvider _logs = new();
    private SpamGuardHost? _host;
    private HttpClient? _h2;

    private SpamGuardHost Host => _host!;

    public async Task InitializeAsync()
    {
        _host = await SpamGuardHost.StartAsync(new KeywordTestModel(), services => services.AddSingleton<ILoggerProvider>(_logs),
            $"--Admin:Key={SiteKeysForTests.AdminKey}", "--Logging:LogLevel:Default=Debug");
        _h2 = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_host.GrpcPort}"), Timeout = SpamGuardHost.CallTimeout };
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _h2?.Dispose();
        _logs.Dispose();
    }

    private static byte[] Frame(byte flag, uint length, params byte[] message) =>
        [flag, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length, .. message];

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>Each malformed body, the grpc-encoding it is sent with, and the status it must get.</summary>
    public static TheoryData<string, string> Cases => new()
    {
        { "empty body", nameof(StatusCode.InvalidArgument) },
        { "three header bytes", nameof(StatusCode.InvalidArgument) },
        { "compressed flag 2", nameof(StatusCode.InvalidArgument) },
        { "compressed flag 255", nameof(StatusCode.InvalidArgument) },
        { "length prefix longer than the body (truncated)", nameof(StatusCode.InvalidArgument) },
        { "length prefix shorter than the body", nameof(StatusCode.InvalidArgument) },
        { "two messages", nameof(StatusCode.InvalidArgument) },
        { "compressed without grpc-encoding", nameof(StatusCode.InvalidArgument) },
        { "compressed with identity encoding", nameof(StatusCode.InvalidArgument) },
        { "compressed with bad gzip", nameof(StatusCode.InvalidArgument) },
        { "compressed with an unknown encoding", nameof(StatusCode.Unimplemented) },
        { "bytes that are no protobuf message", nameof(StatusCode.InvalidArgument) },
        { "length prefix over the limit", nameof(StatusCode.ResourceExhausted) },
        { "length prefix of 4 GiB - 1", nameof(StatusCode.ResourceExhausted) },
        { "gzip that inflates over the limit", nameof(StatusCode.ResourceExhausted) },
    };

    private static (byte[] Body, string? Encoding) Build(string @case)
    {
        var valid = SmallRequest;
        return @case switch
        {
            "empty body" => ([], null),
            "three header bytes" => ([0, 0, 0], null),
            "compressed flag 2" => (Frame(2, (uint)valid.Length, valid), null),
            "compressed flag 255" => (Frame(255, (uint)valid.Length, valid), null),
            "length prefix longer than the body (truncated)" => (Frame(0, 100, valid), null),
            "length prefix shorter than the body" => (Frame(0, 1, [0x0A, 0x03, 0x61, 0x62, 0x63]), null),
            "two messages" => ([.. Frame(0, (uint)valid.Length, valid), .. Frame(0, (uint)valid.Length, valid)], null),
            "compressed without grpc-encoding" => (Frame(1, (uint)Gzip(valid).Length, Gzip(valid)), null),
            "compressed with identity encoding" => (Frame(1, (uint)valid.Length, valid), "identity"),
            "compressed with bad gzip" => (Frame(1, 6, 0x1F, 0x8B, 0x08, 0xFF, 0x00, 0x13), "gzip"),
            "compressed with an unknown encoding" => (Frame(1, (uint)valid.Length, valid), "snappy-zip"),
            "bytes that are no protobuf message" => (Frame(0, 4, 0xFF, 0xFF, 0xFF, 0xFF), null),
            "length prefix over the limit" => (Frame(0, 80 * 1024 * 1024), null),
            "length prefix of 4 GiB - 1" => (Frame(0, uint.MaxValue), null),
            "gzip that inflates over the limit" => (Frame(1, (uint)Gzip(new byte[5 * 1024 * 1024]).Length, Gzip(new byte[5 * 1024 * 1024])), "gzip"),
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };
    }

    private async Task<(StatusCode Status, string Message)> SendAsync(string method, byte[] body, string? encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, method)
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

        using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
        using var response = await _h2!.SendAsync(request, timeout.Token);
        await response.Content.ReadAsByteArrayAsync(timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // A trailers-only answer carries the status in the headers, a normal one in the trailers.
        var status = response.Headers.TryGetValues("grpc-status", out var inHeaders) ? inHeaders.Single()
            : response.TrailingHeaders.GetValues("grpc-status").Single();
        var message = response.Headers.TryGetValues("grpc-message", out var m) ? m.Single()
            : response.TrailingHeaders.TryGetValues("grpc-message", out var t) ? t.Single() : "";
        return ((StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Uri.UnescapeDataString(message));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task MalformedFrame_OnEveryService_IsAnsweredByDesign_WithoutAStackTrace(string @case, string expected)
    {
        // Arrange
        var (body, encoding) = Build(@case);
        var answers = new List<string>();

        // Act
        // 5 MiB is over the 4 MiB default; ModelAdmin takes 64 MiB (a model upload), too slow to inflate here.
        foreach (var method in Methods.Where(m => !(@case.StartsWith("gzip that inflates", StringComparison.Ordinal) && m.Contains("ModelAdmin", StringComparison.Ordinal))))
        {
            var (status, message) = await SendAsync(method, body, encoding);
            answers.Add($"{method}: {status} {message}");
            Assert.False(string.IsNullOrWhiteSpace(message), method);
            Assert.True(status.ToString() == expected, $"{@case} → {string.Join("; ", answers)}");
        }

        // Assert
        var traced = _logs.Entries.Where(e => e.Exception is not null).ToList();
        Assert.True(traced.Count == 0, string.Join("\n", traced.Select(e => $"{e.Level} {e.Category} {e.EventId}: {e.Message} {e.Exception}")));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 4102 && e.Level == LogLevel.Debug);
    }

    [Fact]
    public async Task WellFormedFrames_StillReachTheServices_PlainAndGzipped()
    {
        var request = Requests.WithContent("a kind word").ToByteArray();

        var plain = await SendAsync("/spamguard.v1.CommentFilter/CheckComment", Frame(0, (uint)request.Length, request), null);
        var gzipped = await SendAsync("/spamguard.v1.CommentFilter/CheckComment", Frame(1, (uint)Gzip(request).Length, Gzip(request)), "gzip");
        var health = await SendAsync("/grpc.health.v1.Health/Check", Frame(0, 0), null);
        var admin = await SendAsync("/spamguard.v1.ModelAdmin/ListModels", Frame(0, 0), null);

        Assert.Equal(StatusCode.OK, plain.Status);
        Assert.Equal(StatusCode.OK, gzipped.Status);
        Assert.Equal(StatusCode.OK, health.Status);
        // A well-formed admin call gets as far as authentication.
        Assert.Equal(StatusCode.Unauthenticated, admin.Status);
    }

    [Fact]
    public async Task InvalidUtf8InAString_IsInvalidArgumentNamingUtf8()
    {
        byte[] content = [.. "ok "u8, 0xFF, 0xFE, 0xED, 0xA0, 0x80];
        byte[] message = [.. new CheckCommentRequest { Site = Requests.Site }.ToByteArray(), 0x52, (byte)content.Length, .. content];

        var (status, detail) = await SendAsync("/spamguard.v1.CommentFilter/CheckComment", Frame(0, (uint)message.Length, message), null);

        Assert.Equal(StatusCode.InvalidArgument, status);
        Assert.Contains("UTF-8", detail, StringComparison.OrdinalIgnoreCase);
    }
}
