using System.Collections.Concurrent;
using System.Text;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Testing;
using StackExchange.Redis;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// Retraining, the registry and hot swap end to end: two servers on a real redis-server, serving the tiny fixture
/// model, driven over real gRPC. The base corpus of the retrain is the fixture corpus the tiny model was trained on.
/// </summary>
public sealed class RetrainingTests
{
    private static readonly TimeSpan RetrainDeadline = TimeSpan.FromMinutes(3);
    private static readonly Metadata Admin = SiteKeysForTests.Bearer(SiteKeysForTests.AdminKey);

    /// <summary>Texts the fixture corpus has never seen, that a deployment then reports as spam.</summary>
    private static readonly string[] NewSpam =
    [
        .. Enumerable.Range(0, 30).Select(i =>
            $"The zorblax society meets on day {i}: bring a friend and ask about the quorvane membership plan number {i * 7 + 3}"),
    ];

    /// <summary>Never reported: they share the new words, not the text, so reputation has nothing on them and their
    /// verdicts are the model's alone.</summary>
    private static readonly string[] Probes =
    [
        "Has anyone here tried zorblax? A quorvane plan sounds odd to me",
        "quorvane zorblax quorvane zorblax",
        "zorblax membership: what does the quorvane plan include?",
        "My cousin joined zorblax last spring and liked the quorvane perks",
    ];

    private static async Task<SpamGuardHost> StartNodeAsync(RedisServerProcess redis, string corpus, params string[] extra) =>
        await SpamGuardHost.StartWithModelFileAsync(TinyModel.ZipPath,
        [
            .. RedisNodes.PatientArgs(redis),
            $"--Admin:Key={SiteKeysForTests.AdminKey}",
            $"--Retraining:BaseCorpus:0={corpus}",
            "--Model:SyncSeconds=1",
            .. extra,
        ]);

    private static string FixtureFile() =>
        FixtureCorpus.WriteJsonl(Directory.CreateTempSubdirectory("spamguard-fixture-").FullName);

    private static async Task<List<RetrainProgress>> RetrainAsync(SpamGuardHost host, bool? autoPromote = null)
    {
        var request = new RetrainRequest();
        if (autoPromote is { } promote)
        {
            request.AutoPromote = promote;
        }

        using var call = new ModelAdmin.ModelAdminClient(host.Channel).Retrain(request, Admin, DateTime.UtcNow.Add(RetrainDeadline));
        var messages = new List<RetrainProgress>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            messages.Add(message);
        }

        return messages;
    }

    private static async Task<List<CheckCommentResponse>> CheckAllAsync(SpamGuardHost host, IEnumerable<string> texts)
    {
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        var responses = new List<CheckCommentResponse>();
        foreach (var text in texts)
        {
            responses.Add(await client.CheckCommentAsync(Requests.WithContent(text), deadline: SpamGuardHost.Deadline));
        }

        return responses;
    }

    [Fact]
    public async Task RetrainWithReports_IsPromoted_ReachesTheOtherNode_AndRollbackRestoresTheVerdicts_WithoutAFailedCheck()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var corpus = FixtureFile();
        await using var a = await StartNodeAsync(redis, corpus);
        await using var b = await StartNodeAsync(redis, corpus);
        var before = await CheckAllAsync(a, NewSpam);
        var probesBefore = await CheckAllAsync(a, Probes);
        var filter = new CommentFilter.CommentFilterClient(a.Channel);
        foreach (var check in before)
        {
            await filter.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = check.CheckId }, deadline: SpamGuardHost.Deadline);
        }

        // Checks keep flowing on both nodes through the retrain, the swap and the rollback.
        using var load = new CheckLoad([a, b]);
        var progress = await RetrainAsync(a);
        var result = progress[^1].Result;
        var afterOnB = await WaitForVersionAsync(b, result.Candidate.Version);
        var after = await CheckAllAsync(b, NewSpam);
        var probesAfter = await CheckAllAsync(b, Probes);
        string restartedServes;
        await using (var restarted = await StartNodeAsync(redis, corpus))
        {
            // A node started now serves the registry's active version, not its configured file.
            restartedServes = (await CheckAllAsync(restarted, ["which model do you serve?"]))[0].ModelVersion;
        }

        var rollback = await new ModelAdmin.ModelAdminClient(b.Channel).ActivateModelAsync(new ActivateModelRequest { Rollback = true }, Admin, deadline: SpamGuardHost.Deadline);
        await WaitForVersionAsync(a, TinyModel.ModelVersion);
        var rolledBack = await CheckAllAsync(a, NewSpam);
        var probesRolledBack = await CheckAllAsync(a, Probes);
        var (checks, failures, versions) = await load.StopAsync();

        Assert.Contains(progress, p => p.Phase.StartsWith("calibration fold", StringComparison.Ordinal));
        Assert.True(progress.Select(p => p.Percent).SequenceEqual(progress.Select(p => p.Percent).Order()), "progress only goes up");
        Assert.True(progress[^1].RowsRead >= FixtureCorpus.Examples.Count + NewSpam.Length);
        Assert.Equal("", progress[^1].Error);
        Assert.True(result.Promoted, result.Gate);
        Assert.DoesNotContain("warning", result.Gate, StringComparison.Ordinal);
        Assert.Equal(TinyModel.ModelVersion, result.ActiveVersion);
        Assert.Equal(result.CandidateEvaluation.Overall.Rows, result.ActiveEvaluation.Overall.Rows);
        Assert.Contains("reports", result.CandidateEvaluation.PerSource.Keys);
        Assert.Equal(result.Candidate.Version, afterOnB);
        Assert.All(after, r => Assert.Equal(result.Candidate.Version, r.ModelVersion));
        var flipped = before.Zip(after).Count(p => p.First.Verdict == Verdict.Ham && p.Second.Verdict != Verdict.Ham);
        Assert.True(before.Count(r => r.Verdict == Verdict.Ham) >= 20, "the tiny model calls most of the new texts ham");
        Assert.True(flipped >= 20, $"only {flipped} reported texts changed to spam");
        Assert.Equal((TinyModel.ModelVersion, result.Candidate.Version), (rollback.ActiveVersion, rollback.PreviousVersion));
        // The same model again: its own opinion is what it was before. The verdicts may differ, because the reports
        // now count in reputation; that evidence is taken out of the logit to compare the models.
        Assert.All(rolledBack, r => Assert.Equal(TinyModel.ModelVersion, r.ModelVersion));
        Assert.Equal(before.Select(r => r.SpamProbability), rolledBack.Select(ModelOnlyProbability), new ToleranceComparer(1e-9));
        Assert.Equal(result.Candidate.Version, restartedServes);
        Assert.All(probesBefore.Concat(probesAfter).Concat(probesRolledBack), r => Assert.DoesNotContain(r.Explanation.Signals, s => s.Kind == SignalKind.Reputation));
        Assert.True(probesBefore.Zip(probesAfter).All(p => Math.Abs(p.First.SpamProbability - p.Second.SpamProbability) > 0.01), "the candidate scores every probe differently");
        Assert.Equal(probesBefore.Select(r => (r.Verdict, r.SpamProbability)), probesRolledBack.Select(r => (r.Verdict, r.SpamProbability)));
        Assert.Equal(0, failures);
        Assert.True(checks > 50, $"only {checks} checks ran during the retrain");
        Assert.Contains(result.Candidate.Version, versions);
    }

    [Fact]
    public async Task ACandidateWorseOnTheGate_IsStoredButNotPromoted_AndASecondRetrainJoinsTheFirst()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var host = await StartNodeAsync(redis, FixtureFile());
        var filter = new CommentFilter.CommentFilterClient(host.Channel);
        // Noise: bland comments with labels that follow nothing in the text. A candidate that learns them can only get
        // worse at telling spam from ham; the active model ignores them.
        string[] topics = ["knitting", "the lighthouse", "tax forms", "jazz records", "pottery", "the river walk", "old maps", "tea blends", "kite flying", "the orchard"];
        var noise = Enumerable.Range(0, 120).Select(i => $"Comment {i} on the thread about {topics[i % topics.Length]}, posted from room {i * 37 % 101}").ToList();
        var checks = await CheckAllAsync(host, noise);
        for (var i = 0; i < checks.Count; i++)
        {
            var report = new SubmitFeedbackRequest { Site = Requests.Site, CheckId = checks[i].CheckId };
            _ = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(noise[i]))[0] % 2 == 0
                ? await filter.SubmitSpamAsync(report, deadline: SpamGuardHost.Deadline)
                : await filter.SubmitHamAsync(report, deadline: SpamGuardHost.Deadline);
        }

        // The second call comes once the first job is known to run (its first message arrived).
        using var firstCall = new ModelAdmin.ModelAdminClient(host.Channel).Retrain(new RetrainRequest(), Admin, DateTime.UtcNow.Add(RetrainDeadline));
        Assert.True(await firstCall.ResponseStream.MoveNext());
        var progress = new List<RetrainProgress> { firstCall.ResponseStream.Current };
        var second = await RetrainAsync(host);
        await foreach (var message in firstCall.ResponseStream.ReadAllAsync())
        {
            progress.Add(message);
        }

        var models = await new ModelAdmin.ModelAdminClient(host.Channel).ListModelsAsync(new ListModelsRequest(), Admin, deadline: SpamGuardHost.Deadline);

        var result = progress[^1].Result;
        Assert.False(result.Promoted, result.Gate);
        Assert.StartsWith("failed", result.Gate, StringComparison.Ordinal);
        Assert.False(progress[0].Joined);
        Assert.True(second[0].Joined, "the second call joined the running job");
        Assert.Equal(progress[0].JobId, second[0].JobId);
        Assert.Equal(TinyModel.ModelVersion, models.ActiveVersion);
        Assert.Contains(models.Models, m => m.Version == result.Candidate.Version && !m.Active);
        Assert.Equal(TinyModel.ModelVersion, (await CheckAllAsync(host, ["hello"]))[0].ModelVersion);
    }

    [Fact]
    public async Task CorruptModels_AreRefused_AndTheActiveModelKeepsServing()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var host = await StartNodeAsync(redis, FixtureFile());
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);
        var zip = await File.ReadAllBytesAsync(TinyModel.ZipPath);
        var card = await File.ReadAllTextAsync(Path.ChangeExtension(TinyModel.ZipPath, ".json"));
        var otherCard = card.Replace("\"version\": \"0.0.1-test\"", "\"version\": \"0.0.2-broken\"", StringComparison.Ordinal);

        var truncated = await Assert.ThrowsAsync<RpcException>(() => admin.UploadModelAsync(new UploadModelRequest
        {
            ModelZip = Google.Protobuf.ByteString.CopyFrom(zip, 0, zip.Length / 2), CardJson = otherCard,
        }, Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var badCard = await Assert.ThrowsAsync<RpcException>(() => admin.UploadModelAsync(new UploadModelRequest
        {
            ModelZip = Google.Protobuf.ByteString.CopyFrom(zip), CardJson = "{\"format\": 1, \"name\": ",
        }, Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var uploaded = await admin.UploadModelAsync(new UploadModelRequest { ModelZip = Google.Protobuf.ByteString.CopyFrom(zip), CardJson = otherCard }, Admin, deadline: SpamGuardHost.Deadline);

        // The stored copy is damaged afterwards (disk or Redis corruption): activation must refuse it.
        using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint))
        {
            await connection.GetDatabase().HashSetAsync("spamguard:{models}:zips", uploaded.Version, zip.AsMemory(0, 1000).ToArray());
        }

        var corrupt = await Assert.ThrowsAsync<RpcException>(() => admin.ActivateModelAsync(new ActivateModelRequest { Version = uploaded.Version }, Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => admin.ActivateModelAsync(new ActivateModelRequest { Version = "tiny-9.9.9" }, Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var noTarget = await Assert.ThrowsAsync<RpcException>(() => admin.ActivateModelAsync(new ActivateModelRequest(), Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var models = await admin.ListModelsAsync(new ListModelsRequest(), Admin, deadline: SpamGuardHost.Deadline);
        var stillServing = (await CheckAllAsync(host, ["cheap pills at http://pills-shop.example/order"]))[0];

        Assert.Equal(StatusCode.InvalidArgument, truncated.StatusCode);
        Assert.Contains("corrupt", truncated.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(StatusCode.InvalidArgument, badCard.StatusCode);
        Assert.Equal("tiny-0.0.2-broken", uploaded.Version);
        Assert.Equal(StatusCode.FailedPrecondition, corrupt.StatusCode);
        Assert.Contains("active model is unchanged", corrupt.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, noTarget.StatusCode);
        Assert.Equal(TinyModel.ModelVersion, models.ActiveVersion);
        Assert.Equal(TinyModel.ModelVersion, stillServing.ModelVersion);
    }

    [Fact]
    public async Task AdminCalls_NeedTheAdminKey_AndASiteKeyIsPermissionDenied()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var host = await StartNodeAsync(redis, FixtureFile());
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);
        var siteKey = (await admin.CreateSiteKeyAsync(new CreateSiteKeyRequest { Sites = { Requests.Site } }, Admin, deadline: SpamGuardHost.Deadline)).Key;

        var calls = new (string Name, Func<Metadata?, Task> Call)[]
        {
            ("ListModels", m => admin.ListModelsAsync(new ListModelsRequest(), m, SpamGuardHost.Deadline).ResponseAsync),
            ("GetModel", m => admin.GetModelAsync(new GetModelRequest { Version = TinyModel.ModelVersion }, m, SpamGuardHost.Deadline).ResponseAsync),
            ("ActivateModel", m => admin.ActivateModelAsync(new ActivateModelRequest { Rollback = true }, m, SpamGuardHost.Deadline).ResponseAsync),
            ("GetFeedbackStats", m => admin.GetFeedbackStatsAsync(new GetFeedbackStatsRequest(), m, SpamGuardHost.Deadline).ResponseAsync),
            ("CorrectReport", m => admin.CorrectReportAsync(new CorrectReportRequest { CheckId = new string('a', 32), Delete = true }, m, SpamGuardHost.Deadline).ResponseAsync),
            ("Retrain", async m =>
            {
                using var call = admin.Retrain(new RetrainRequest(), m, SpamGuardHost.Deadline);
                await call.ResponseStream.MoveNext();
            }),
        };

        foreach (var (name, call) in calls)
        {
            var missing = await Assert.ThrowsAsync<RpcException>(() => call(null));
            var wrong = await Assert.ThrowsAsync<RpcException>(() => call(SiteKeysForTests.Bearer("not-the-admin-key-at-all-no")));
            var site = await Assert.ThrowsAsync<RpcException>(() => call(SiteKeysForTests.Bearer(siteKey)));
            Assert.True(missing.StatusCode == StatusCode.Unauthenticated, $"{name} without a key: {missing.StatusCode}");
            Assert.True(wrong.StatusCode == StatusCode.Unauthenticated, $"{name} with a wrong key: {wrong.StatusCode}");
            Assert.True(site.StatusCode == StatusCode.PermissionDenied, $"{name} with a site key: {site.StatusCode}");
        }
    }

    private static double ModelOnlyProbability(CheckCommentResponse response)
    {
        var logit = Math.Log(response.SpamProbability / (1 - response.SpamProbability))
            - response.Explanation.Signals.Where(s => s.Kind == SignalKind.Reputation).Sum(s => s.Weight);
        return 1 / (1 + Math.Exp(-logit));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }

    private static async Task<string> WaitForVersionAsync(SpamGuardHost host, string version)
    {
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var served = (await client.CheckCommentAsync(Requests.WithContent("which model?"), deadline: SpamGuardHost.Deadline)).ModelVersion;
            if (served == version || timeout.IsCancellationRequested)
            {
                return served;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Checks on every host in a loop until stopped, counting failures and the versions that answered.</summary>
    private sealed class CheckLoad : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentDictionary<string, int> _versions = new();
        private readonly Task[] _workers;
        private int _checks;
        private int _failures;

        public CheckLoad(IReadOnlyList<SpamGuardHost> hosts)
        {
            _workers = [.. hosts.SelectMany(h => Enumerable.Range(0, 2).Select(_ => Task.Run(() => RunAsync(h))))];
        }

        public async Task<(int Checks, int Failures, IReadOnlyCollection<string> Versions)> StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_workers);
            return (_checks, _failures, [.. _versions.Keys]);
        }

        public void Dispose() => _stop.Dispose();

        private async Task RunAsync(SpamGuardHost host)
        {
            var client = new CommentFilter.CommentFilterClient(host.Channel);
            var i = 0;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var response = await client.CheckCommentAsync(Requests.WithContent($"load comment {i++} about sourdough"), deadline: SpamGuardHost.Deadline);
                    _versions.TryAdd(response.ModelVersion, 0);
                    Interlocked.Increment(ref _checks);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref _failures);
                }

                await Task.Delay(5);
            }
        }
    }
}
