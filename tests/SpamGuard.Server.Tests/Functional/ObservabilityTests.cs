using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using SpamGuard.Contracts.V1;
using SpamGuard.Core.Reputation;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>/metrics as Prometheus scrapes it (a real HTTP GET of a running server on loopback), checked by promtool.
/// Alone, not beside other test classes: OpenTelemetry subscribes to meters by name, so a host's scrape would also
/// count the calls of every other host running in this process at the time.</summary>
[Collection(OneHostAtATime.Name)]
public sealed partial class ObservabilityTests
{
    private static readonly string[] AdminArgs = [$"--Admin:Key={SiteKeysForTests.AdminKey}"];

    [SkippableFact]
    public async Task Scrape_AtStartup_PassesPromtool_AndEveryCounterIsThereAtZero()
    {
        // Arrange
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), AdminArgs);

        // Act
        var scrape = await ScrapeAsync(host);

        // Assert
        await AssertPromtoolPassesAsync(scrape);
        foreach (var verdict in Enum.GetNames<Core.Scoring.Verdict>())
        {
            Assert.Equal(0, Sample(scrape, "spamguard_checks_total", ("verdict", verdict)));
        }

        foreach (var label in Enum.GetNames<ReportLabel>())
        {
            foreach (var outcome in Enum.GetNames<Core.Feedback.FeedbackOutcome>())
            {
                Assert.Equal(0, Sample(scrape, "spamguard_reports_total", ("label", label), ("outcome", outcome)));
            }
        }

        foreach (var (key, reason) in Core.Diagnostics.SpamGuardMetrics.AuthFailures)
        {
            Assert.Equal(0, Sample(scrape, "spamguard_auth_failures_total", ("key", key), ("reason", reason)));
        }

        foreach (var reason in Core.Diagnostics.SpamGuardMetrics.StoreErrorReasons)
        {
            Assert.Equal(0, Sample(scrape, "spamguard_store_errors_total", ("store", "redis"), ("reason", reason)));
        }

        Assert.Equal(0, Sample(scrape, "spamguard_rate_limited_total", ("limit", "calls")));
        Assert.Equal(0, Sample(scrape, "spamguard_rate_limited_total", ("limit", "reports")));
        // Every gRPC method with every status code, before any call (as go-grpc-prometheus's InitializeMetrics).
        foreach (var method in new[] { "CheckComment", "SubmitSpam", "SubmitHam" })
        {
            foreach (var code in Enum.GetNames<StatusCode>())
            {
                Assert.Equal(0, Sample(scrape, "grpc_server_handled_total", ("grpc_service", "spamguard.v1.CommentFilter"), ("grpc_method", method), ("grpc_code", code)));
            }
        }

        Assert.Equal(0, Sample(scrape, "grpc_server_handled_total", ("grpc_method", "Retrain"), ("grpc_code", "PermissionDenied")));
        Assert.Equal(0, Sample(scrape, "spamguard_reputation_unavailable_total"));
        Assert.Equal(0, Sample(scrape, "spamguard_reports_replayed_total"));
        Assert.Equal(1, Sample(scrape, "spamguard_model_info", ("version", KeywordTestModel.TestVersion)));

        // The resource names the service, and the process and the runtime are described.
        Assert.Equal(1, Sample(scrape, "target_info", ("service_name", "spamguard")));
        Assert.Matches(@"service_version=""\d+\.\d+\.\d+", scrape);
        Assert.DoesNotContain("unknown_service", scrape, StringComparison.Ordinal);
        Assert.True(Sample(scrape, "process_memory_usage_bytes") > 0);
        Assert.True(Sample(scrape, "process_cpu_time_seconds_total", ("cpu_mode", "user")) > 0);
        Assert.True(Sample(scrape, "dotnet_gc_heap_total_allocated_bytes_total") > 0);
        Assert.True(Sample(scrape, "dotnet_thread_pool_threads") > 0);
    }

    [SkippableFact]
    public async Task Calls_AreCountedByGrpcStatus_RefusalsByReason_AndChecksTimedBelowAMillisecond()
    {
        // Arrange: a key may make 2 calls at once, then 1 a minute.
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), [.. AdminArgs, "--SiteKeys:RateLimit:RequestsPerMinute=1", "--SiteKeys:RateLimit:Burst=2"]);
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);

        // Act
        await client.CheckCommentAsync(Requests.Complete("a kind word"), deadline: SpamGuardHost.Deadline);
        var invalid = await FailureAsync(client.CheckCommentAsync(new CheckCommentRequest { Site = "not a url", Content = "x" }, deadline: SpamGuardHost.Deadline));
        var key = await SiteKeysForTests.CreateKeyAsync(host, Requests.Site);
        var missing = await FailureAsync(client.CheckCommentAsync(Requests.Complete("no key"), deadline: SpamGuardHost.Deadline));
        var wrong = await FailureAsync(client.CheckCommentAsync(Requests.Complete("bad key"), SiteKeysForTests.Bearer("not-a-key-of-this-server"), SpamGuardHost.Deadline));
        await client.CheckCommentAsync(Requests.Complete("cheap pills"), SiteKeysForTests.Bearer(key), SpamGuardHost.Deadline);
        await client.CheckCommentAsync(Requests.Complete("thanks, great article"), SiteKeysForTests.Bearer(key), SpamGuardHost.Deadline);
        var limited = await FailureAsync(client.CheckCommentAsync(Requests.Complete("one too many"), SiteKeysForTests.Bearer(key), SpamGuardHost.Deadline));
        var adminWrong = await FailureAsync(admin.ListSiteKeysAsync(new ListSiteKeysRequest(), SiteKeysForTests.Bearer("not-the-admin-key"), SpamGuardHost.Deadline));
        var adminMissing = await FailureAsync(admin.ListSiteKeysAsync(new ListSiteKeysRequest(), deadline: SpamGuardHost.Deadline));
        var verifyWrong = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("key", "abcdefabcdef"), new("blog", Requests.Site)]);
        var verifyOther = await AkismetHttp.PostAsync(host, "/1.1/verify-key", [new("key", key), new("blog", "https://other.example/")]);
        var scrape = await ScrapeAsync(host);

        // Assert
        Assert.Equal(
            [StatusCode.InvalidArgument, StatusCode.Unauthenticated, StatusCode.Unauthenticated, StatusCode.ResourceExhausted, StatusCode.Unauthenticated, StatusCode.Unauthenticated],
            [invalid, missing, wrong, limited, adminWrong, adminMissing]);
        await AssertPromtoolPassesAsync(scrape);
        (string, string)[] checkComment = [("grpc_service", "spamguard.v1.CommentFilter"), ("grpc_method", "CheckComment"), ("grpc_type", "unary")];
        Assert.Equal(3, Sample(scrape, "grpc_server_handled_total", [.. checkComment, ("grpc_code", "OK")]));
        Assert.Equal(1, Sample(scrape, "grpc_server_handled_total", [.. checkComment, ("grpc_code", "InvalidArgument")]));
        Assert.Equal(2, Sample(scrape, "grpc_server_handled_total", [.. checkComment, ("grpc_code", "Unauthenticated")]));
        Assert.Equal(1, Sample(scrape, "grpc_server_handled_total", [.. checkComment, ("grpc_code", "ResourceExhausted")]));
        Assert.Equal(2, Sample(scrape, "grpc_server_handled_total", ("grpc_method", "ListSiteKeys"), ("grpc_code", "Unauthenticated")));
        Assert.Equal(7, Sum(scrape, "grpc_server_handling_seconds_count", checkComment));
        // ASP.NET Core's own request metric carries the gRPC status too, instead of a bare HTTP 200.
        Assert.Equal(1, Sample(scrape, "http_server_request_duration_seconds_count", ("rpc_grpc_status_code", "8")));

        Assert.Equal(1, Sample(scrape, "spamguard_auth_failures_total", ("key", "site"), ("reason", "missing")));
        // The gRPC call with a wrong key, and the REST verify-key with one; a key for another blog is its own reason.
        Assert.Equal(("invalid", "invalid"), (verifyWrong.Body, verifyOther.Body));
        Assert.Equal(2, Sample(scrape, "spamguard_auth_failures_total", ("key", "site"), ("reason", "invalid")));
        Assert.Equal(1, Sample(scrape, "spamguard_auth_failures_total", ("key", "site"), ("reason", "other_site")));
        Assert.Equal(1, Sample(scrape, "spamguard_auth_failures_total", ("key", "admin"), ("reason", "invalid")));
        Assert.Equal(1, Sample(scrape, "spamguard_auth_failures_total", ("key", "admin"), ("reason", "missing")));
        Assert.Equal(1, Sample(scrape, "spamguard_rate_limited_total", ("limit", "calls")));

        // Three checks were scored, each timed in buckets that start at 50 µs.
        Assert.Equal(3, Sample(scrape, "spamguard_check_duration_seconds_count"));
        Assert.Equal(3, Sample(scrape, "spamguard_check_duration_seconds_bucket", ("le", "+Inf")));
        Assert.Contains("spamguard_check_duration_seconds_bucket{otel_scope_name=\"SpamGuard\",le=\"5E-05\"}", scrape, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckComment_PastItsDeadline_StopsAndAnswersDeadlineExceeded_WithoutAStackTraceOrAServerFailure()
    {
        // Arrange: once warm, the reputation lookup never answers, so only the caller's deadline ends the call.
        var logs = new CapturingLoggerProvider();
        var stalled = new StalledReputationStore();
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            services.RemoveAll<IReputationStore>();
            services.AddSingleton<IReputationStore>(stalled);
        }, [.. AdminArgs, "--Logging:LogLevel:Default=Information", "--Logging:LogLevel:Microsoft.AspNetCore=Warning"]);
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        await client.CheckCommentAsync(Requests.Complete("a kind word"), deadline: SpamGuardHost.Deadline);
        stalled.Stall = true;

        // Act
        var code = await FailureAsync(client.CheckCommentAsync(Requests.Complete("cheap pills"), deadline: DateTime.UtcNow.AddMilliseconds(500)));
        // The server's side of the call ends after the client has given up: wait until it is counted.
        var scrape = await ScrapeUntilAsync(host, s => Sum(s, "grpc_server_handled_total", ("grpc_method", "CheckComment"), ("grpc_code", "DeadlineExceeded")) >= 1);

        // Assert
        Assert.Equal(StatusCode.DeadlineExceeded, code);
        Assert.Equal(1, stalled.Stalled);
        Assert.Equal(1, Sample(scrape, "grpc_server_handled_total", ("grpc_method", "CheckComment"), ("grpc_code", "DeadlineExceeded")));
        // Every code is exported from start (at 0): none of the calls ended Unknown or Internal.
        Assert.Equal(0, Sum(scrape, "grpc_server_handled_total", ("grpc_code", "Unknown")));
        Assert.Equal(0, Sum(scrape, "grpc_server_handled_total", ("grpc_code", "Internal")));
        // ASP.NET Core did not see an unhandled exception either (it would label the request with error_type).
        Assert.DoesNotContain(scrape.Split('\n'), l => l.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal) && l.Contains("error_type=", StringComparison.Ordinal));
        // Not scored to the end: no verdict was counted.
        Assert.Equal(0, Sample(scrape, "spamguard_checks_total", ("verdict", "Spam")));
        Assert.Equal(1, Sample(scrape, "spamguard_check_duration_seconds_count"));
        Assert.True(!logs.Entries.Any(e => e.Exception is not null && e.Level >= LogLevel.Information),
            string.Join("\n", logs.Entries.Where(e => e.Exception is not null).Select(e => $"{e.Level} {e.Category} {e.EventId}: {e.Message} {e.Exception!.GetType().Name}")));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
        await AssertPromtoolPassesAsync(scrape);
    }

    [SkippableFact]
    public async Task ModelInfo_FollowsActivationAndRollback()
    {
        // Arrange: the shipped loader with the tiny model, and a second version of it uploaded.
        await using var host = await SpamGuardHost.StartWithModelFileAsync(TinyModel.ZipPath, AdminArgs);
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);
        var key = SiteKeysForTests.Bearer(SiteKeysForTests.AdminKey);
        var zip = await File.ReadAllBytesAsync(TinyModel.ZipPath);
        var card = (await File.ReadAllTextAsync(Path.ChangeExtension(TinyModel.ZipPath, ".json")))
            .Replace("\"version\": \"0.0.1-test\"", "\"version\": \"0.0.2-test\"", StringComparison.Ordinal);
        var uploaded = await admin.UploadModelAsync(new UploadModelRequest { ModelZip = Google.Protobuf.ByteString.CopyFrom(zip), CardJson = card }, key, SpamGuardHost.Deadline);

        // Act
        var before = await ScrapeAsync(host);
        await admin.ActivateModelAsync(new ActivateModelRequest { Version = uploaded.Version }, key, SpamGuardHost.Deadline);
        var activated = await ScrapeUntilAsync(host, s => Sum(s, "spamguard_model_info", ("version", uploaded.Version)) == 1);
        await admin.ActivateModelAsync(new ActivateModelRequest { Rollback = true }, key, SpamGuardHost.Deadline);
        var rolledBack = await ScrapeUntilAsync(host, s => Sum(s, "spamguard_model_info", ("version", TinyModel.ModelVersion)) == 1);

        // Assert: one version at 1 at a time, the active one; the one active before reads 0.
        Assert.NotEqual(TinyModel.ModelVersion, uploaded.Version);
        Assert.Equal(1, Sample(before, "spamguard_model_info", ("version", TinyModel.ModelVersion)));
        Assert.Equal(1, Sum(before, "spamguard_model_info"));
        Assert.Equal(1, Sample(activated, "spamguard_model_info", ("version", uploaded.Version)));
        Assert.Equal(0, Sample(activated, "spamguard_model_info", ("version", TinyModel.ModelVersion)));
        Assert.Equal(1, Sample(rolledBack, "spamguard_model_info", ("version", TinyModel.ModelVersion)));
        Assert.Equal(0, Sample(rolledBack, "spamguard_model_info", ("version", uploaded.Version)));
        await AssertPromtoolPassesAsync(activated);
    }

    [SkippableFact]
    public async Task RedisDown_StoreErrorsAndDegradedChecks_AreCounted()
    {
        // Arrange
        await using var redis = await RedisServerProcess.StartAsync();
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(),
            [.. AdminArgs, $"--Redis:Configuration={redis.Endpoint}", "--Redis:Resilience:TimeoutMilliseconds=200"]);
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        var healthy = await client.CheckCommentAsync(Requests.Complete("a kind word"), deadline: SpamGuardHost.Deadline);

        // Act
        await redis.StopAsync();
        var degraded = await client.CheckCommentAsync(Requests.Complete("cheap pills"), deadline: SpamGuardHost.Deadline);
        var scrape = await ScrapeUntilAsync(host, s => Sum(s, "spamguard_store_errors_total") > 0);

        // Assert: the check still answered, without reputation, and both the failed store calls and the degraded
        // check are counted.
        Assert.True(healthy.ReputationAvailable);
        Assert.False(degraded.ReputationAvailable);
        Assert.True(Sum(scrape, "spamguard_store_errors_total", ("store", "redis")) >= 1, scrape);
        Assert.True(Sample(scrape, "spamguard_reputation_unavailable_total") >= 1);
        Assert.Equal(2, Sum(scrape, "grpc_server_handled_total", ("grpc_method", "CheckComment"), ("grpc_code", "OK")));
        await AssertPromtoolPassesAsync(scrape);
    }

    [Fact]
    public async Task Tracing_IsOffByDefault()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel());

        Assert.Null(host.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
    }

    [Fact]
    public async Task Tracing_WithAnOtlpEndpoint_SendsTheCallsSpansToTheCollector()
    {
        // Arrange: a real OTLP/HTTP receiver on loopback (POST /v1/traces, protobuf).
        await using var collector = await OtlpCollector.StartAsync();
        var host = await SpamGuardHost.StartAsync(new KeywordTestModel(), $"--Telemetry:Otlp:Endpoint={collector.Address}");
        CheckCommentResponse check;
        try
        {
            // Act
            check = await new CommentFilter.CommentFilterClient(host.Channel).CheckCommentAsync(Requests.Complete("cheap pills"), deadline: SpamGuardHost.Deadline);
            // An Akismet client that puts its key in the host name.
            using var verify = new HttpRequestMessage(HttpMethod.Post, "/1.1/verify-key")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["blog"] = Requests.Site }),
            };
            verify.Headers.Host = "hostlabelkey42.localhost";
            using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
            (await host.Http.SendAsync(verify, timeout.Token)).Dispose();
        }
        finally
        {
            // Stopping flushes the batch of spans.
            await host.DisposeAsync();
        }

        // Assert: protobuf keeps strings as UTF-8, so the names and attributes can be found in the bytes.
        Assert.NotEmpty(collector.Requests);
        Assert.All(collector.Requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
        var sent = string.Concat(collector.Requests.Select(r => System.Text.Encoding.UTF8.GetString(r.Body)));
        Assert.Contains("service.name", sent, StringComparison.Ordinal);
        Assert.Contains("spamguard", sent, StringComparison.Ordinal);
        Assert.Contains("spamguard.check", sent, StringComparison.Ordinal);
        Assert.Contains("spamguard.verdict", sent, StringComparison.Ordinal);
        Assert.Contains(check.ModelVersion, sent, StringComparison.Ordinal);
        Assert.Contains("spamguard.v1.CommentFilter/CheckComment", sent, StringComparison.Ordinal);
        Assert.Contains("/1.1/verify-key", sent, StringComparison.Ordinal);
        // No comment text and no key from a host name in a span.
        Assert.DoesNotContain("cheap pills", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("hostlabelkey42", sent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Telemetry:Otlp:Endpoint=not-a-url")]
    [InlineData("--Telemetry:Otlp:Endpoint=ftp://127.0.0.1:4318")]
    [InlineData("--Telemetry:Otlp:SampleRatio=1.5")]
    public async Task TelemetryOptions_Invalid_FailTheStart(string setting)
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => SpamGuardHost.StartAsync(new KeywordTestModel(), "--Telemetry:Otlp:Endpoint=http://127.0.0.1:4318", setting));

        Assert.Contains("Telemetry:Otlp:", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<StatusCode> FailureAsync<T>(AsyncUnaryCall<T> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        return ex.StatusCode;
    }

    private static async Task<string> ScrapeUntilAsync(SpamGuardHost host, Func<string, bool> done)
    {
        using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
        while (true)
        {
            var scrape = await ScrapeAsync(host);
            if (done(scrape) || timeout.IsCancellationRequested)
            {
                return scrape;
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    internal static async Task<string> ScrapeAsync(SpamGuardHost host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", "Bearer " + SiteKeysForTests.AdminKey } } };
        using var timeout = new CancellationTokenSource(SpamGuardHost.CallTimeout);
        using var response = await host.Http.SendAsync(request, timeout.Token);
        return await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync(timeout.Token);
    }

    internal static async Task AssertPromtoolPassesAsync(string scrape)
    {
        Skip.If(!Promtool.IsInstalled && !Promtool.InCi, Promtool.MissingMessage);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(scrape);
        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"promtool check metrics exited {exitCode}:\n{output}");
    }

    /// <summary>The sum of every sample of <paramref name="name"/> whose labels include every one given.</summary>
    internal static double Sum(string scrape, string name, params (string Label, string Value)[] labels) =>
        Matching(scrape, name, labels).Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include every one given.</summary>
    internal static double Sample(string scrape, string name, params (string Label, string Value)[] labels)
    {
        var matches = Matching(scrape, name, labels);
        Assert.True(matches.Count == 1, $"expected one sample of {name} with {string.Join(",", labels)}; found {matches.Count}");
        return double.Parse(matches[0].Groups["value"].Value, CultureInfo.InvariantCulture);
    }

    private static List<Match> Matching(string scrape, string name, (string Label, string Value)[] labels) =>
        scrape.Split('\n')
            .Select(line => SampleLine().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == name
                && labels.All(l => m.Groups["labels"].Value.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            .ToList();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)")]
    private static partial Regex SampleLine();
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OneHostAtATime
{
    public const string Name = "metrics, one host at a time";
}
