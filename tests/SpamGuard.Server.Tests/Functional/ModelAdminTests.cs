using System.Text.Json;
using Grpc.Core;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>The registry and report administration on the embedded default (no Redis), over real gRPC.</summary>
public sealed class ModelAdminTests
{
    private static readonly Metadata Admin = SiteKeysForTests.Bearer(SiteKeysForTests.AdminKey);

    private static Task<SpamGuardHost> StartAsync() =>
        SpamGuardHost.StartWithModelFileAsync(TinyModel.ZipPath,
            $"--Admin:Key={SiteKeysForTests.AdminKey}",
            $"--Retraining:BaseCorpus:0={FixtureCorpus.WriteJsonl(Directory.CreateTempSubdirectory("spamguard-fixture-").FullName)}");

    private static async Task<RetrainProgress> RetrainAsync(ModelAdmin.ModelAdminClient admin)
    {
        using var call = admin.Retrain(new RetrainRequest { AutoPromote = false }, Admin, DateTime.UtcNow.AddMinutes(3));
        RetrainProgress? last = null;
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            last = message;
        }

        return last!;
    }

    [Fact]
    public async Task FeedbackStats_CountTheLatestReportPerCheck_AndCorrectOrDeleteChangeWhatRetrainingReads()
    {
        await using var host = await StartAsync();
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);
        var filter = new CommentFilter.CommentFilterClient(host.Channel);
        var ids = new List<string>();
        foreach (var text in new[] { "first reported text about zorblax", "second reported text about quorvane", "third one, a thank-you note" })
        {
            ids.Add((await filter.CheckCommentAsync(Requests.WithContent(text), deadline: SpamGuardHost.Deadline)).CheckId);
        }

        await filter.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = ids[0] }, deadline: SpamGuardHost.Deadline);
        await filter.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = ids[1] }, deadline: SpamGuardHost.Deadline);
        await filter.SubmitHamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = ids[2] }, deadline: SpamGuardHost.Deadline);

        var initial = await admin.GetFeedbackStatsAsync(new GetFeedbackStatsRequest(), Admin, deadline: SpamGuardHost.Deadline);
        var relabelled = await admin.CorrectReportAsync(new CorrectReportRequest { CheckId = ids[1], Label = ReportedLabel.Ham }, Admin, deadline: SpamGuardHost.Deadline);
        var unchanged = await admin.CorrectReportAsync(new CorrectReportRequest { CheckId = ids[1], Label = ReportedLabel.Ham }, Admin, deadline: SpamGuardHost.Deadline);
        var corrected = await admin.GetFeedbackStatsAsync(new GetFeedbackStatsRequest(), Admin, deadline: SpamGuardHost.Deadline);
        var withAll = await RetrainAsync(admin);
        var deleted = await admin.CorrectReportAsync(new CorrectReportRequest { CheckId = ids[0], Delete = true }, Admin, deadline: SpamGuardHost.Deadline);
        var afterDelete = await admin.GetFeedbackStatsAsync(new GetFeedbackStatsRequest(), Admin, deadline: SpamGuardHost.Deadline);
        var withoutOne = await RetrainAsync(admin);
        var gone = await Assert.ThrowsAsync<RpcException>(() => admin.CorrectReportAsync(new CorrectReportRequest { CheckId = ids[0], Delete = true }, Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var badId = await Assert.ThrowsAsync<RpcException>(() => admin.CorrectReportAsync(new CorrectReportRequest { CheckId = "nope", Delete = true }, Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var noChange = await Assert.ThrowsAsync<RpcException>(() => admin.CorrectReportAsync(new CorrectReportRequest { CheckId = ids[2] }, Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((2, 1), (initial.Spam, initial.Ham));
        Assert.Equal(today, Assert.Single(initial.Days).Day);
        Assert.Equal((1, 0), (relabelled.Examples, unchanged.Examples));
        Assert.Equal((1, 2), (corrected.Spam, corrected.Ham));
        Assert.Equal(1, deleted.Examples);
        Assert.Equal((0, 2), (afterDelete.Spam, afterDelete.Ham));
        Assert.Equal(withAll.RowsRead - 1, withoutOne.RowsRead);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, badId.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, noChange.StatusCode);
    }

    [Fact]
    public async Task TheSameInputs_GiveTheSameModel_AndCandidatesAreListedWithTheirCards()
    {
        await using var host = await StartAsync();
        var admin = new ModelAdmin.ModelAdminClient(host.Channel);

        var first = (await RetrainAsync(admin)).Result;
        var second = (await RetrainAsync(admin)).Result;
        var models = await admin.ListModelsAsync(new ListModelsRequest(), Admin, deadline: SpamGuardHost.Deadline);
        var card = await admin.GetModelAsync(new GetModelRequest { Version = first.Candidate.Version }, Admin, deadline: SpamGuardHost.Deadline);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => admin.GetModelAsync(new GetModelRequest { Version = "tiny-0.0.0" }, Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);
        var invalid = await Assert.ThrowsAsync<RpcException>(() => admin.GetModelAsync(new GetModelRequest { Version = "../etc/passwd" }, Admin, deadline: SpamGuardHost.Deadline).ResponseAsync);

        Assert.NotEqual(first.Candidate.Version, second.Candidate.Version);
        Assert.Equal(first.CandidateEvaluation, second.CandidateEvaluation);
        Assert.Equal((first.Candidate.SpamThreshold, first.Candidate.DiscardThreshold), (second.Candidate.SpamThreshold, second.Candidate.DiscardThreshold));
        Assert.Equal(Calibration(first.Candidate.CardJson), Calibration(second.Candidate.CardJson));
        Assert.False(first.Promoted);
        Assert.Equal(TinyModel.ModelVersion, models.ActiveVersion);
        Assert.Equal([second.Candidate.Version, first.Candidate.Version, TinyModel.ModelVersion], models.Models.Select(m => m.Version));
        Assert.Equal([false, false, true], models.Models.Select(m => m.Active));
        using var json = JsonDocument.Parse(card.CardJson);
        Assert.Equal(TinyModel.ModelVersion, json.RootElement.GetProperty("comparison").GetProperty("active_version").GetString());
        Assert.Equal(TinyModel.Settings.Seed, json.RootElement.GetProperty("seed").GetInt32());
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
    }

    private static (double Slope, double Offset) Calibration(string cardJson)
    {
        using var json = JsonDocument.Parse(cardJson);
        var calibration = json.RootElement.GetProperty("calibration");
        return (calibration.GetProperty("slope").GetDouble(), calibration.GetProperty("offset").GetDouble());
    }
}
