using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Testing.Contracts;

/// <summary>What every <see cref="ICheckRecordStore"/> must do (compiled into the in-process and the Redis test projects).</summary>
public abstract class CheckRecordStoreContract
{
    protected static readonly DateTimeOffset Noon = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<ICheckRecordStore> StoreAsync();

    protected static CheckRecord Record(string id, string site = "https://blog.example/") => new(
        id, site, Noon, [new ReputationSubject(SubjectKind.Ip, "ip:AAAAAAAAAAAAAAAAAAAAAA"), new ReputationSubject(SubjectKind.Content, "content:3:00ff")],
        "Buy cheap pills at xxlinkxx ünïcode 👍", "name_has_digits", ModelSaidSpam: true);

    [Fact]
    public async Task SavedRecord_ReadsBackWhole()
    {
        var store = await StoreAsync();
        var record = Record(Guid.NewGuid().ToString("N"));

        await store.SaveAsync(record, TimeSpan.FromDays(7), CancellationToken.None);
        var read = await store.GetAsync(record.CheckId, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(record with { Subjects = [] }, read with { Subjects = [] });
        Assert.Equal(record.Subjects, read.Subjects);
    }

    [Fact]
    public async Task Receipt_ReadsBackWhole()
    {
        var store = await StoreAsync();
        var processing = new SpamGuard.Core.Explanations.FieldProcessing("user_ip", "Reputation: counted.", SpamGuard.Core.Explanations.DataHandling.StoredPseudonymised, TimeSpan.FromDays(31))
        {
            Pseudonyms = ["ip:AAAA", "net:BBBB"],
        };
        var record = Record(Guid.NewGuid().ToString("N")) with
        {
            Receipt = new CheckReceipt(SpamGuard.Core.Scoring.Verdict.Discard, 0.997, "spamguard-1.0.0", [processing])
            {
                Summary = "Spam: a link to shop.example.",
                Signals = [new SpamGuard.Core.Explanations.Signal("link.host", SpamGuard.Core.Explanations.SignalKind.Link, 2.5, "shop.example")],
                ReputationAvailable = true,
            },
        };

        await store.SaveAsync(record, TimeSpan.FromDays(7), CancellationToken.None);
        var read = (await store.GetAsync(record.CheckId, CancellationToken.None))?.Receipt;

        Assert.NotNull(read);
        Assert.Equal((record.Receipt.Verdict, record.Receipt.SpamProbability, record.Receipt.ModelVersion), (read.Verdict, read.SpamProbability, read.ModelVersion));
        Assert.Equal((record.Receipt.Summary, true), (read.Summary, read.ReputationAvailable));
        Assert.Equal(record.Receipt.Signals, read.Signals);
        var entry = Assert.Single(read.Processing);
        Assert.Equal(processing with { Pseudonyms = [] }, entry with { Pseudonyms = [] });
        Assert.Equal(processing.Pseudonyms, entry.Pseudonyms);
    }

    [Fact]
    public async Task AttachedReceipt_IsReadWithTheRecord_WhichIsOtherwiseUnchanged()
    {
        var store = await StoreAsync();
        var record = Record(Guid.NewGuid().ToString("N"));
        var receipt = new CheckReceipt(SpamGuard.Core.Scoring.Verdict.Spam, 0.91, "spamguard-1.1.0", [])
        {
            Summary = "Spam: a price and a short code.",
            ReputationAvailable = false,
        };

        await store.SaveAsync(record, TimeSpan.FromDays(7), CancellationToken.None);
        store.AttachReceipt(record.CheckId, receipt);
        var read = await store.GetAsync(record.CheckId, CancellationToken.None);

        Assert.NotNull(read?.Receipt);
        Assert.Equal((receipt.Verdict, receipt.SpamProbability, receipt.ModelVersion, receipt.Summary, false),
            (read.Receipt.Verdict, read.Receipt.SpamProbability, read.Receipt.ModelVersion, read.Receipt.Summary, read.Receipt.ReputationAvailable));
        Assert.Equal(record with { Subjects = [] }, read with { Subjects = [], Receipt = null });
    }

    [Fact]
    public async Task ReceiptOfACheckNeverSaved_CreatesNoRecord()
    {
        var store = await StoreAsync();
        var id = Guid.NewGuid().ToString("N");

        store.AttachReceipt(id, new CheckReceipt(SpamGuard.Core.Scoring.Verdict.Ham, 0.1, "spamguard-1.1.0", []));

        Assert.Null(await store.GetAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task UnknownCheck_IsNotFound()
    {
        var store = await StoreAsync();

        Assert.Null(await store.GetAsync("0123456789abcdef0123456789abcdef", CancellationToken.None));
        Assert.Equal(ReportOutcomeKind.NotFound, (await store.ReportAsync("0123456789abcdef0123456789abcdef", "https://blog.example/", ReportLabel.Spam, Noon, "entry-" + Guid.NewGuid().ToString("N"), CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task Reports_AreRecordedRepeatedAndCorrected()
    {
        var store = await StoreAsync();
        var record = Record(Guid.NewGuid().ToString("N"));
        await store.SaveAsync(record, TimeSpan.FromDays(7), CancellationToken.None);

        var first = await store.ReportAsync(record.CheckId, record.Site, ReportLabel.Spam, Noon.AddMinutes(1), "first", CancellationToken.None);
        var again = await store.ReportAsync(record.CheckId, record.Site, ReportLabel.Spam, Noon.AddMinutes(2), "entry-" + Guid.NewGuid().ToString("N"), CancellationToken.None);
        var opposite = await store.ReportAsync(record.CheckId, record.Site, ReportLabel.Ham, Noon.AddMinutes(3), "entry-" + Guid.NewGuid().ToString("N"), CancellationToken.None);

        Assert.Equal(ReportOutcomeKind.Recorded, first.Kind);
        Assert.Equal(record.Content, first.Record!.Content);
        Assert.Equal(ReportOutcomeKind.Repeated, again.Kind);
        Assert.Equal(new CheckReport(ReportLabel.Spam, Noon.AddMinutes(1), "first"), again.Previous);
        Assert.Equal(ReportOutcomeKind.Corrected, opposite.Kind);
        Assert.Equal(new CheckReport(ReportLabel.Spam, Noon.AddMinutes(1), "first"), opposite.Previous);
    }

    [Fact]
    public async Task SavingARecordAgain_KeepsItsReport()
    {
        var store = await StoreAsync();
        var record = Record("cccccccccccccccccccccccccccccccc");
        await store.SaveAsync(record, TimeSpan.FromDays(1), CancellationToken.None);
        await store.ReportAsync(record.CheckId, record.Site, ReportLabel.Spam, Noon, "entry-" + Guid.NewGuid().ToString("N"), CancellationToken.None);

        await store.SaveAsync(record, TimeSpan.FromDays(1), CancellationToken.None);
        var again = await store.ReportAsync(record.CheckId, record.Site, ReportLabel.Spam, Noon.AddMinutes(1), "entry-" + Guid.NewGuid().ToString("N"), CancellationToken.None);

        Assert.Equal(ReportOutcomeKind.Repeated, again.Kind);
    }

    [Fact]
    public async Task SameReportAppliedAgain_RecognisesItself_AndWhatItReplaced()
    {
        var store = await StoreAsync();
        var record = Record("dddddddddddddddddddddddddddddddd");
        await store.SaveAsync(record, TimeSpan.FromDays(1), CancellationToken.None);
        await store.ReportAsync(record.CheckId, record.Site, ReportLabel.Spam, Noon, "e1", CancellationToken.None);
        await store.ReportAsync(record.CheckId, record.Site, ReportLabel.Ham, Noon.AddMinutes(1), "e2", CancellationToken.None);

        var again = await store.ReportAsync(record.CheckId, record.Site, ReportLabel.Ham, Noon.AddMinutes(1), "e2", CancellationToken.None);

        Assert.Equal(ReportOutcomeKind.Repeated, again.Kind);
        Assert.NotNull(again.Previous);
        Assert.Equal("e2", again.Previous.EntryId);
        Assert.NotNull(again.Previous.Replaced);
        Assert.Equal((ReportLabel.Spam, Noon), (again.Previous.Replaced.Label, again.Previous.Replaced.At));
    }

    [Fact]
    public async Task ReportFromAnotherSite_IsRefusedAndChangesNothing()
    {
        var store = await StoreAsync();
        var record = Record(Guid.NewGuid().ToString("N"));
        await store.SaveAsync(record, TimeSpan.FromDays(7), CancellationToken.None);

        var other = await store.ReportAsync(record.CheckId, "https://other.example/", ReportLabel.Spam, Noon, "entry-" + Guid.NewGuid().ToString("N"), CancellationToken.None);
        var own = await store.ReportAsync(record.CheckId, record.Site, ReportLabel.Spam, Noon, "entry-" + Guid.NewGuid().ToString("N"), CancellationToken.None);

        Assert.Equal(ReportOutcomeKind.OtherSite, other.Kind);
        Assert.Equal(ReportOutcomeKind.Recorded, own.Kind);
    }

    [Fact]
    public async Task ConcurrentSameReports_AreRecordedExactlyOnce()
    {
        var store = await StoreAsync();
        var record = Record(Guid.NewGuid().ToString("N"));
        await store.SaveAsync(record, TimeSpan.FromDays(7), CancellationToken.None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            store.ReportAsync(record.CheckId, record.Site, ReportLabel.Spam, Noon, "entry-" + Guid.NewGuid().ToString("N"), CancellationToken.None)));

        Assert.Equal(1, outcomes.Count(o => o.Kind == ReportOutcomeKind.Recorded));
        Assert.Equal(49, outcomes.Count(o => o.Kind == ReportOutcomeKind.Repeated));
    }

    [Fact]
    public async Task Erase_DeletesTheRecordsNamingAPseudonym_AndNoOthers()
    {
        var store = await StoreAsync();
        var named = Record("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeee1") with { Subjects = [new ReputationSubject(SubjectKind.Email, "email:PERSON")] };
        var other = Record("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeee2") with { Subjects = [new ReputationSubject(SubjectKind.Email, "email:SOMEONE-ELSE")] };
        await store.SaveAsync(named, TimeSpan.FromDays(1), CancellationToken.None);
        await store.SaveAsync(other, TimeSpan.FromDays(1), CancellationToken.None);

        var erased = await store.EraseAsync(new HashSet<string>(StringComparer.Ordinal) { "email:PERSON" }, CancellationToken.None);

        Assert.Equal(1, erased);
        Assert.Null(await store.GetAsync(named.CheckId, CancellationToken.None));
        Assert.NotNull(await store.GetAsync(other.CheckId, CancellationToken.None));
    }
}
