using Grpc.Health.V1;
using SpamGuard.Contracts.V1;
using SpamGuard.ML.Models;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>The shipped host loading a real model file (the fixture-trained tiny model) and scoring over a socket.</summary>
public sealed class RealModelTests(RealModelHostFixture fixture) : IClassFixture<RealModelHostFixture>
{
    private readonly CommentFilter.CommentFilterClient _client = new(fixture.Host.Channel);

    [Fact]
    public async Task CheckComment_ObviousSpam_IsSpamExplainedByTheModelsOwnFeatures()
    {
        var request = Requests.WithContent("WINNER!! Buy cheap viagra online at http://pills-shop.example/order now, best price guaranteed!!!");

        var response = await _client.CheckCommentAsync(request, deadline: SpamGuardHost.Deadline);

        Assert.Contains(response.Verdict, new[] { Verdict.Spam, Verdict.Discard });
        Assert.True(response.SpamProbability >= response.Thresholds.Spam);
        Assert.Equal(TinyModel.ModelVersion, response.ModelVersion);
        Assert.StartsWith(response.Verdict == Verdict.Discard ? "Blatant spam" : "Spam", response.Explanation.Summary, StringComparison.Ordinal);
        Assert.True(response.Explanation.Signals[0].Weight > 0, "the strongest signal of a spam verdict pushes toward spam");
        Assert.Contains(response.Explanation.Signals, s => s.Kind is SignalKind.Text or SignalKind.Link);
    }

    [Fact]
    public async Task CheckComment_ObviousHam_IsHamAndTheSummaryAgrees()
    {
        var request = Requests.WithContent("Great write-up on database indexes. Could you share the benchmark setup you used?");

        var response = await _client.CheckCommentAsync(request, deadline: SpamGuardHost.Deadline);

        Assert.Equal(Verdict.Ham, response.Verdict);
        Assert.True(response.SpamProbability < response.Thresholds.Spam);
        Assert.StartsWith("Ham", response.Explanation.Summary, StringComparison.Ordinal);
        Assert.True(response.Explanation.Signals[0].Weight < 0, "the strongest signal of a ham verdict pushes toward ham");
    }

    [Fact]
    public async Task CheckComment_UncappedSignals_AddUpToTheProbability()
    {
        // With the cap lifted the explanation lists every feature, so it must account for the whole score.
        await using var host = await SpamGuardHost.StartWithModelFileAsync(TinyModel.ZipPath, "--Scoring:MaxSignals=100");
        var client = new CommentFilter.CommentFilterClient(host.Channel);

        var response = await client.CheckCommentAsync(Requests.WithContent("cheap viagra"), deadline: SpamGuardHost.Deadline);

        var logit = response.Explanation.BaseWeight + response.Explanation.Signals.Sum(s => s.Weight);

        Assert.Equal(response.SpamProbability, 1 / (1 + Math.Exp(-logit)), 4);
    }

    [Fact]
    public async Task CheckComment_ThresholdsComeFromTheModelCard()
    {
        var card = ModelFiles.ReadCard(TinyModel.ZipPath);

        var response = await _client.CheckCommentAsync(Requests.WithContent("hello"), deadline: SpamGuardHost.Deadline);

        Assert.Equal(card.Thresholds.Spam, response.Thresholds.Spam);
        Assert.Equal(card.Thresholds.Discard, response.Thresholds.Discard);
    }

    [Fact]
    public async Task Health_WithTheModelLoadedAtStartup_IsServing()
    {
        var health = new Health.HealthClient(fixture.Host.Channel);

        var reply = await health.CheckAsync(new HealthCheckRequest { Service = CommentFilter.Descriptor.FullName }, deadline: SpamGuardHost.Deadline);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task CheckComment_ConcurrentCallers_AllSucceedWithDistinctCheckIds()
    {
        var calls = Enumerable.Range(0, 64).Select(i => _client.CheckCommentAsync(
            Requests.WithContent($"comment number {i} about chess openings"), deadline: SpamGuardHost.Deadline).ResponseAsync);

        var responses = await Task.WhenAll(calls);

        Assert.Equal(64, responses.Select(r => r.CheckId).Distinct().Count());
        Assert.All(responses, r => Assert.Equal(TinyModel.ModelVersion, r.ModelVersion));
    }
}

/// <summary>The shipped host with the tiny model loaded from disk at start-up.</summary>
public sealed class RealModelHostFixture : IAsyncLifetime
{
    private SpamGuardHost? _host;

    internal SpamGuardHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    public async Task InitializeAsync() => _host = await SpamGuardHost.StartWithModelFileAsync(TinyModel.ZipPath);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

/// <summary>A missing or corrupt model stops start-up with a clear error instead of serving without one.</summary>
public sealed class ModelStartupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-startup").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Start_MissingModelFile_FailsWithTheFileNamed()
    {
        var path = Path.Combine(_dir, "missing-1.0.0.zip");

        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => SpamGuardHost.StartWithModelFileAsync(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_CorruptModelFile_FailsWithAClearError()
    {
        var zip = Path.Combine(_dir, "tiny-0.0.1-test.zip");
        File.WriteAllText(zip, "this is not a model");
        File.Copy(ModelFiles.CardPathFor(TinyModel.ZipPath), ModelFiles.CardPathFor(zip));

        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => SpamGuardHost.StartWithModelFileAsync(zip));

        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
    }
}
