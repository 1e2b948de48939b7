using System.Net;
using System.Text;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Tests;

public sealed class ReputationSubjectsTests
{
    private static readonly Pseudonymizer Pseudonyms = new(Encoding.UTF8.GetBytes("a test secret that is long enough!!"));

    private static NormalizedContent Content(string text, IReadOnlyList<string> linkHosts) => new(TextNormalizer.Normalize(text).Text, linkHosts);

    [Fact]
    public void FullComment_GivesIpNetworkEmailAuthorHostAndLinkHosts_AllPseudonymised()
    {
        var comment = TestComments.With("buy at http://pills.example and http://pills.example/again or www.other.example today") with
        {
            UserIp = IPAddress.Parse("203.0.113.9"),
            AuthorEmail = "bob@mail.example",
            AuthorUrl = new Uri("https://www.bobs-site.example/about"),
        };

        var subjects = ReputationSubjects.For(comment, TextNormalizer.Normalize(comment.Content), Pseudonyms);

        Assert.Equal(
            [SubjectKind.Ip, SubjectKind.Network, SubjectKind.Email, SubjectKind.AuthorHost, SubjectKind.LinkHost, SubjectKind.LinkHost,
             .. Enumerable.Repeat(SubjectKind.Content, ContentFingerprint.BandCount)],
            subjects.Select(s => s.Kind));
        Assert.Equal(Pseudonyms.Host("bobs-site.example"), subjects.Single(s => s.Kind == SubjectKind.AuthorHost).Pseudonym);
        Assert.All(subjects, s => Assert.DoesNotContain("example", s.Pseudonym, StringComparison.Ordinal));
        Assert.All(subjects, s => Assert.DoesNotContain("203", s.Pseudonym, StringComparison.Ordinal));
    }

    [Fact]
    public void ShortAnonymousComment_HasNoSubjects() =>
        Assert.Empty(ReputationSubjects.For(TestComments.With("hello"), Content("hello", []), Pseudonyms));

    [Fact]
    public void NearCopies_ShareContentSubjects()
    {
        var a = ReputationSubjects.For(TestComments.With(), Content("Make $5000 a week working from home, click xxlinkxx to start today", []), Pseudonyms);
        var b = ReputationSubjects.For(TestComments.With(), Content("Make $6000 a week working from home, click xxlinkxx to start now", []), Pseudonyms);

        Assert.Contains(a, b.Contains);
    }

    [Fact]
    public void ThousandsOfLinks_AreCapped()
    {
        var hosts = Enumerable.Range(0, 5000).Select(i => $"h{i}.example").ToList();

        var subjects = ReputationSubjects.For(TestComments.With(), new NormalizedContent(TextNormalizer.Normalize(TestComments.With().Content).Text, hosts), Pseudonyms);

        Assert.Equal(ReputationSubjects.MaxLinkHosts, subjects.Count(s => s.Kind == SubjectKind.LinkHost));
    }
}

public sealed class ReputationEvidenceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static SubjectReputation With(SubjectKind kind, int spamReports, int hamReports)
    {
        var buckets = new Dictionary<string, long>();
        foreach (var (counter, n) in new[] { (ReputationCounter.SpamReports, spamReports), (ReputationCounter.HamReports, hamReports) })
        {
            foreach (var field in ReputationWindows.FieldsToIncrement(counter, Now.AddHours(-2)))
            {
                buckets[field] = n;
            }
        }

        return new SubjectReputation(new ReputationSubject(kind, "x:y"), WindowCounts.FromFields(buckets, Now));
    }

    [Theory]
    [InlineData(0, 0, 0.0)]
    [InlineData(4, 0, 1.6094)]
    [InlineData(0, 4, -1.6094)]
    [InlineData(3, 3, 0.0)]
    [InlineData(1000, 0, 4.0)] // capped
    public void Weight_IsTheCappedLogBayesFactor(int spam, int ham, double expected)
    {
        var signals = ReputationEvidence.Signals([With(SubjectKind.Ip, spam, ham)], new ReputationOptions(), Now);

        Assert.Equal(expected, signals.Sum(s => s.Weight), 4);
        Assert.All(signals, s => Assert.Equal(SignalKind.Reputation, s.Kind));
    }

    [Fact]
    public void KindWeight_ScalesTheEvidence()
    {
        var ip = ReputationEvidence.Signals([With(SubjectKind.Ip, 4, 0)], new ReputationOptions(), Now).Single();
        var network = ReputationEvidence.Signals([With(SubjectKind.Network, 4, 0)], new ReputationOptions(), Now).Single();

        Assert.Equal(ip.Weight / 2, network.Weight, 9);
    }

    [Fact]
    public void Evidence_SaysWhatWasReportedWithoutNamingTheSubject()
    {
        var signal = ReputationEvidence.Signals([With(SubjectKind.Email, 1, 2)], new ReputationOptions(), Now).Single();

        Assert.Equal("reputation.email", signal.Name);
        Assert.Equal("this e-mail address was reported as spam once and as ham 2 times in the last 30 days", signal.Evidence);
    }

    [Fact]
    public void ContentBands_AddUpIntoOneCappedSignal()
    {
        var options = new ReputationOptions();
        var weights = options.Weights;
        var three = Enumerable.Range(0, 3).Select(_ => With(SubjectKind.Content, 1, 0)).ToList();
        var many = Enumerable.Range(0, 8).Select(_ => With(SubjectKind.Content, 1000, 0)).ToList();

        var signal = Assert.Single(ReputationEvidence.Signals(three, options, Now));
        var capped = Assert.Single(ReputationEvidence.Signals(many, options, Now));

        Assert.Equal("reputation.content", signal.Name);
        Assert.Equal(3 * 0.25 * Math.Log(2), signal.Weight, 9);
        Assert.Equal(weights.Cap, capped.Weight, 9);
    }

    private static readonly string[] ThreeSites = ["https://a.example/", "https://b.example/", "https://c.example/"];

    private static SubjectReputation ReportedByOthers(ReportLabel label, params string[] sites) =>
        new(new ReputationSubject(SubjectKind.Ip, "x:y"), new WindowCounts())
        {
            OtherSites = [.. sites.Select(site => new SiteReport(ReportingSites.Id(site), label, Now.AddHours(-1)))],
        };

    [Fact]
    public void OtherSitesReports_TooFewToAgree_AreWithheld_AndTheExplanationSaysSo()
    {
        var signal = Assert.Single(ReputationEvidence.Signals([ReportedByOthers(ReportLabel.Ham, "https://a.example/", "https://b.example/")], new ReputationOptions(), Now));

        Assert.Equal(0, signal.Weight);
        Assert.Equal("this IP address has reports that were not counted; ham reports from 2 other sites were not counted: fewer than 3 independent sites agree", signal.Evidence);
    }

    [Fact]
    public void OtherSitesReports_CountOncePerSite_WhenEnoughSitesAgree()
    {
        var signal = Assert.Single(ReputationEvidence.Signals(
            [ReportedByOthers(ReportLabel.Ham, "https://a.example/", "https://b.example/", "https://c.example/")], new ReputationOptions(), Now));

        Assert.Equal(-Math.Log(4), signal.Weight, 9);
        Assert.StartsWith("this IP address was reported as spam 0 times and as ham 3 times", signal.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadersOwnReport_CountsTowardAgreement()
    {
        var reputation = With(SubjectKind.Ip, 0, 1) with
        {
            OtherSites = [new SiteReport(ReportingSites.Id("https://a.example/"), ReportLabel.Ham, Now.AddHours(-1)), new SiteReport(ReportingSites.Id("https://b.example/"), ReportLabel.Ham, Now.AddHours(-1))],
        };

        var counted = new ReportAgreement(3, []).Count(reputation, Now);

        Assert.Equal(new CountedReports(0, 1, 0, 2, 0, 0), counted);
    }

    [Fact]
    public void ATrustedReporter_CountsAlone_AndOthersStayWithheld()
    {
        var options = new ReputationOptions();
        options.TrustedReporters.Add("https://desk.example");

        var counted = options.Agreement.Count(ReportedByOthers(ReportLabel.Spam, "https://desk.example/", "https://a.example/"), Now);

        Assert.Equal(new CountedReports(0, 0, 1, 0, 1, 0), counted);
    }

    [Fact]
    public void OtherSitesReportsOlderThan30Days_AreNotCounted()
    {
        var old = new SubjectReputation(new ReputationSubject(SubjectKind.Ip, "x:y"), new WindowCounts())
        {
            OtherSites = [.. ThreeSites.Select(site => new SiteReport(ReportingSites.Id(site), ReportLabel.Spam, Now.AddDays(-30.5)))],
        };

        Assert.Equal(default, new ReportAgreement(3, []).Count(old, Now));
    }
}
