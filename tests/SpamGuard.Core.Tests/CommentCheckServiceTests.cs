using System.Net;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Tests;

/// <summary>Checks as the service runs them: reputation evidence, degradation, and what the disclosure says was stored.</summary>
public sealed class CommentCheckServiceTests : IDisposable
{
    private const double ModelLogit = -2.0;
    private static readonly IPAddress Ip = IPAddress.Parse("203.0.113.7");
    private readonly FeedbackHarness _h = new(new FixedContributionModel("fixed-1", new Thresholds(0.5, 0.99), ModelLogit));

    public void Dispose() => _h.Dispose();

    private static Comment From(IPAddress? ip, string content, string email = "") =>
        TestComments.With(content) with { UserIp = ip, AuthorEmail = email };

    private async Task ReportSpamAsync(Comment comment)
    {
        var check = await _h.Checks.CheckAsync(comment, CancellationToken.None);
        var result = await _h.Feedback.ReportAsync(new FeedbackReport(ReportLabel.Spam, comment.Site.ToString(), check.CheckId, null), CancellationToken.None);
        Assert.Equal(FeedbackOutcome.Recorded, result.Outcome);
    }

    [Fact]
    public async Task FirstCheck_HasNoReputationEvidence_ButReputationWasAvailable()
    {
        var result = await _h.Checks.CheckAsync(From(Ip, "Hello there"), CancellationToken.None);

        Assert.True(result.Explanation.ReputationAvailable);
        Assert.DoesNotContain(result.Explanation.Signals, s => s.Kind == SignalKind.Reputation);
        Assert.Equal(Probability.FromLogit(ModelLogit), result.SpamProbability, 12);
    }

    [Fact]
    public async Task FourSpamReportsOfAnIp_TurnItsNextCommentIntoSpam_AndNotAnotherIps()
    {
        for (var i = 0; i < 4; i++)
        {
            await ReportSpamAsync(From(Ip, $"different words number {i} each time so the texts share nothing"));
        }

        var same = await _h.Checks.CheckAsync(From(Ip, "A fresh comment"), CancellationToken.None);
        var other = await _h.Checks.CheckAsync(From(IPAddress.Parse("198.51.100.9"), "A fresh comment"), CancellationToken.None);

        // IP: 1.0 × ln(5/1); its /24 network: 0.5 × ln(5/1). -2 + 1.5 × 1.609 = 0.41 → p ≈ 0.60 ≥ 0.5.
        var ip = Assert.Single(same.Explanation.Signals, s => s.Name == "reputation.ip");
        Assert.Equal(Math.Log(5), ip.Weight, 9);
        Assert.Equal(SignalKind.Reputation, ip.Kind);
        Assert.Equal("this IP address was reported as spam 4 times and as ham 0 times in the last 30 days", ip.Evidence);
        Assert.Equal(0.5 * Math.Log(5), Assert.Single(same.Explanation.Signals, s => s.Name == "reputation.network").Weight, 9);
        Assert.Equal(Verdict.Spam, same.Verdict);
        Assert.Equal(Probability.FromLogit(ModelLogit + 1.5 * Math.Log(5)), same.SpamProbability, 9);
        Assert.Equal(Verdict.Ham, other.Verdict);
        Assert.DoesNotContain(other.Explanation.Signals, s => s.Kind == SignalKind.Reputation);
        Assert.DoesNotContain(IPAddress.Parse("203.0.113.7").ToString(), string.Join(" ", same.Explanation.Signals.Select(s => s.Evidence)));
    }

    [Fact]
    public async Task ReportedText_FlagsNearCopiesFromElsewhere()
    {
        const string spam = "Earn money fast from home, visit our amazing crypto investment site and double your savings today";
        await ReportSpamAsync(From(null, spam));

        var edited = await _h.Checks.CheckAsync(From(IPAddress.Parse("192.0.2.1"), spam.Replace("today", "this week", StringComparison.Ordinal)), CancellationToken.None);
        var unrelated = await _h.Checks.CheckAsync(From(null, "I tried the recipe with less sugar and it was still lovely, thank you"), CancellationToken.None);

        // One signal for the whole fingerprint: 0.25 ln 2 for each of the 8 bands the edited copy shares.
        var content = Assert.Single(edited.Explanation.Signals, s => s.Name == "reputation.content");
        var bands = content.Weight / (0.25 * Math.Log(2));
        Assert.InRange(bands, 0.999, 8.001);
        Assert.Equal(Math.Round(bands), bands, 9);
        Assert.StartsWith("a near-copy of this text was reported as spam once", content.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain(unrelated.Explanation.Signals, s => s.Kind == SignalKind.Reputation);
    }

    [Fact]
    public async Task ReportedLinkDomain_CountsForOtherCommentsLinkingThere()
    {
        await ReportSpamAsync(From(null, "great deals at https://shop.example/offer"));

        var next = await _h.Checks.CheckAsync(From(null, "see http://www.shop.example/ for more"), CancellationToken.None);

        var link = Assert.Single(next.Explanation.Signals, s => s.Name == "reputation.link_host");
        Assert.Equal(Math.Log(2), link.Weight, 9);
        Assert.StartsWith("a linked domain was reported as spam once", link.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HamReportOfTheSameCheck_TakesTheSpamReportBack()
    {
        var comment = From(Ip, "words");
        var check = await _h.Checks.CheckAsync(comment, CancellationToken.None);
        await _h.Feedback.ReportAsync(new FeedbackReport(ReportLabel.Spam, comment.Site.ToString(), check.CheckId, null), CancellationToken.None);
        var corrected = await _h.Feedback.ReportAsync(new FeedbackReport(ReportLabel.Ham, comment.Site.ToString(), check.CheckId, null), CancellationToken.None);

        var next = await _h.Checks.CheckAsync(From(Ip, "other words"), CancellationToken.None);

        Assert.Equal(FeedbackOutcome.Corrected, corrected.Outcome);
        // 0 spam and 1 ham report: ln(1/2) toward ham.
        Assert.Equal(-Math.Log(2), Assert.Single(next.Explanation.Signals, s => s.Name == "reputation.ip").Weight, 9);
    }

    [Fact]
    public async Task StoresDown_CheckIsScoredByTheModelAlone_AndSaysSo()
    {
        _h.AllDown = true;

        var result = await _h.Checks.CheckAsync(From(Ip, "Hello", "ann@mail.example"), CancellationToken.None);

        Assert.False(result.Explanation.ReputationAvailable);
        Assert.Equal(Probability.FromLogit(ModelLogit), result.SpamProbability, 12);
        Assert.Equal(1, _h.Counter("spamguard.reputation.unavailable"));
        // Reputation counted nothing; the check record went to the local outbox, so the check can still be reported.
        var ip = Assert.Single(result.Explanation.Processing, p => p.Field == "user_ip");
        Assert.Equal(DataHandling.StoredPseudonymised, ip.Handling);
        Assert.DoesNotContain("Reputation: this check is counted", ip.Purpose, StringComparison.Ordinal);
        Assert.Equal(_h.Options.CheckRetention, ip.Retention);
        Assert.Single(_h.Outbox.Entries);
    }

    [Fact]
    public async Task Processing_ListsThePseudonymsStoredAndTheirRetention()
    {
        var options = new FeedbackOptions { CheckRetentionDays = 2 };
        using var h = new FeedbackHarness(new FixedContributionModel("fixed-1", new Thresholds(0.5, 0.99), ModelLogit), options);
        var comment = From(Ip, "See https://shop.example/x for the long text that has a fingerprint", "Ann@Mail.example") with
        {
            AuthorUrl = new Uri("https://ann.example/"),
            Author = "Ann",
        };

        var result = await h.Checks.CheckAsync(comment, CancellationToken.None);

        var byField = result.Explanation.Processing.ToDictionary(p => p.Field);
        Assert.Equal(DataHandling.StoredPseudonymised, byField["user_ip"].Handling);
        Assert.Equal([h.Pseudonyms.Ip(Ip), h.Pseudonyms.Network(Ip)], byField["user_ip"].Pseudonyms);
        Assert.Equal(ReputationWindows.Retention, byField["user_ip"].Retention);
        Assert.Equal([h.Pseudonyms.Email("ann@mail.example")], byField["author_email"].Pseudonyms);
        Assert.Equal([h.Pseudonyms.Host("ann.example")], byField["author_url"].Pseudonyms);
        Assert.Equal(DataHandling.Stored, byField["content"].Handling);
        Assert.Contains(h.Pseudonyms.Host("shop.example"), byField["content"].Pseudonyms);
        Assert.Contains(byField["content"].Pseudonyms, p => p.StartsWith("content:", StringComparison.Ordinal));
        Assert.Equal(DataHandling.Stored, byField["site"].Handling);
        Assert.Equal(TimeSpan.FromDays(2), byField["site"].Retention);
        Assert.Contains("for 2 days", byField["content"].Purpose, StringComparison.Ordinal);
        Assert.Equal(DataHandling.UsedInMemoryDiscarded, byField["author"].Handling);
        // No entry carries a raw value.
        var all = string.Join(" ", result.Explanation.Processing.SelectMany(p => p.Pseudonyms.Append(p.Purpose)));
        Assert.DoesNotContain("203.0.113.7", all, StringComparison.Ordinal);
        Assert.DoesNotContain("ann@", all, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CheckRecord_KeepsTextWithAddressesMasked_AndOnlyTheNamesShape()
    {
        var comment = From(Ip, "Write to bob@example.com or ping 198.51.100.4, call 555-0100-200") with { Author = "JOHN99" };

        var result = await _h.Checks.CheckAsync(comment, CancellationToken.None);
        var record = await _h.Records.Inner.GetAsync(result.CheckId, CancellationToken.None);

        Assert.NotNull(record);
        Assert.Equal("Write to [email] or ping [ip] call 555-0100-200", record.Content.Replace(",", "", StringComparison.Ordinal));
        Assert.DoesNotContain("JOHN", record.AuthorShape, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("name_has_digits", record.AuthorShape, StringComparison.Ordinal);
        Assert.Equal(comment.Site.ToString(), record.Site);
    }

    [Fact]
    public async Task TestCall_LooksReputationUp_ButStoresNothing()
    {
        await ReportSpamAsync(From(Ip, "reported words"));
        var before = await _h.Reputation.Inner.ReadAsync([new ReputationSubject(SubjectKind.Ip, _h.Pseudonyms.Ip(Ip))], TestComments.Site.ToString(), DateTimeOffset.UtcNow, CancellationToken.None);

        var result = await _h.Checks.CheckAsync(From(Ip, "a test") with { IsTest = true }, CancellationToken.None);

        var after = await _h.Reputation.Inner.ReadAsync([new ReputationSubject(SubjectKind.Ip, _h.Pseudonyms.Ip(Ip))], TestComments.Site.ToString(), DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.True(result.Explanation.ReputationAvailable);
        Assert.Contains(result.Explanation.Signals, s => s.Name == "reputation.ip");
        Assert.Equal(before[0].Counts, after[0].Counts);
        Assert.Null(await _h.Records.Inner.GetAsync(result.CheckId, CancellationToken.None));
        Assert.All(result.Explanation.Processing, p => Assert.Equal(TimeSpan.Zero, p.Retention));
        Assert.Contains("nothing was stored (test call)", result.Explanation.Processing.Single(p => p.Field == "user_ip").Purpose, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReputationCountsTheModelsVerdict_NotTheFinalOne()
    {
        for (var i = 0; i < 4; i++)
        {
            await ReportSpamAsync(From(Ip, $"unrelated text {i} with nothing shared"));
        }

        // Reputation makes this spam, but the model alone said ham: the spam-verdict counter must not grow.
        var result = await _h.Checks.CheckAsync(From(Ip, "one more"), CancellationToken.None);
        var read = await _h.Reputation.Inner.ReadAsync([new ReputationSubject(SubjectKind.Ip, _h.Pseudonyms.Ip(Ip))], TestComments.Site.ToString(), DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(Verdict.Spam, result.Verdict);
        Assert.Equal(5, read[0].Count(ReputationCounter.Checks, ReputationWindow.LastHour));
        Assert.Equal(0, read[0].Count(ReputationCounter.SpamVerdicts, ReputationWindow.LastHour));
    }

    [Fact]
    public async Task AnOutage_IsWarnedAboutOnceWhenItStartsAndNotedWhenItEnds()
    {
        var log = new ListLogger<CommentCheckService>();
        using var h = new FeedbackHarness(new FixedContributionModel("fixed-1", new Thresholds(0.5, 0.99), ModelLogit), null, null, log);

        h.AllDown = true;
        for (var i = 0; i < 5; i++)
        {
            await h.Checks.CheckAsync(From(Ip, $"during {i}"), CancellationToken.None);
        }

        h.AllDown = false;
        await h.Checks.CheckAsync(From(Ip, "after"), CancellationToken.None);
        await h.Checks.CheckAsync(From(Ip, "after again"), CancellationToken.None);

        var warnings = log.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Information).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warnings[0].Level);
        Assert.Contains("stopped answering", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("answers again", warnings[1].Message, StringComparison.Ordinal);
        Assert.Equal(5, h.Counter("spamguard.reputation.unavailable"));
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("203.0.113.7", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckRecord_HoldsTheReceipt_TheCallerWasGiven()
    {
        var result = await _h.Checks.CheckAsync(From(Ip, "Hello", "ann@mail.example"), CancellationToken.None);
        var receipt = (await _h.Records.Inner.GetAsync(result.CheckId, CancellationToken.None))?.Receipt;

        Assert.NotNull(receipt);
        Assert.Equal(result.Verdict, receipt.Verdict);
        Assert.Equal(result.SpamProbability, receipt.SpamProbability);
        Assert.Equal(result.ModelVersion, receipt.ModelVersion);
        Assert.Equal(result.Explanation.Processing, receipt.Processing);
    }

    [Fact]
    public async Task ReputationDown_TheRecordIsStillKept_WithAReceiptThatSaysSo()
    {
        _h.Reputation.Down = true;

        var result = await _h.Checks.CheckAsync(From(Ip, "Hello"), CancellationToken.None);
        var record = await _h.Records.Inner.GetAsync(result.CheckId, CancellationToken.None);

        Assert.False(result.Explanation.ReputationAvailable);
        Assert.Equal(DataHandling.Stored, result.Explanation.Processing.Single(p => p.Field == "site").Handling);
        Assert.NotNull(record?.Receipt);
        Assert.False(record.Receipt.ReputationAvailable);
        Assert.Equal(result.Explanation.Processing, record.Receipt.Processing);
    }

    [Fact]
    public async Task RecordStoreDown_TheRecordIsKeptInTheOutbox_AndTheDisclosureSaysStored()
    {
        _h.Records.Down = true;

        var result = await _h.Checks.CheckAsync(From(Ip, "Hello"), CancellationToken.None);

        Assert.Equal(DataHandling.Stored, result.Explanation.Processing.Single(p => p.Field == "site").Handling);
        var waiting = Assert.Single(_h.Outbox.Entries);
        Assert.Equal(result.CheckId, waiting.Record.CheckId);
        Assert.DoesNotContain("203.0.113.7", await File.ReadAllTextAsync(_h.Outbox.Path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordNotSaved_OutboxFull_TheDisclosureSaysNothingWasKeptWithARecord()
    {
        using var h = new FeedbackHarness(new FixedContributionModel("fixed-1", new Thresholds(0.5, 0.99), ModelLogit), new FeedbackOptions { OutboxCapacity = 1 });
        h.Records.Down = true;
        await h.Checks.CheckAsync(From(Ip, "fills the outbox"), CancellationToken.None);

        var result = await h.Checks.CheckAsync(From(Ip, "Hello"), CancellationToken.None);

        Assert.Single(h.Outbox.Entries);
        Assert.Equal(1, h.Counter("spamguard.checks.outbox.lost"));
        Assert.Equal(DataHandling.UsedInMemoryDiscarded, result.Explanation.Processing.Single(p => p.Field == "site").Handling);
        Assert.DoesNotContain("check record", result.Explanation.Processing.Single(p => p.Field == "content").Purpose, StringComparison.Ordinal);
    }
}
