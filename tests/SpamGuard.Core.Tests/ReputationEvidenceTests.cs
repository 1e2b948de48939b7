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

        return new SubjectReputation(new ReputationSubject(kind, "x:y"), buckets);
    }

    [Theory]
    [InlineData(0, 0, 0.0)]
    [InlineData(4, 0, 1.6094)]
    [InlineData(0, 4, -1.6094)]
    [InlineData(3, 3, 0.0)]
    [InlineData(1000, 0, 4.0)] // capped
    public void Weight_IsTheCappedLogBayesFactor(int spam, int ham, double expected)
    {
        var signals = ReputationEvidence.Signals([With(SubjectKind.Ip, spam, ham)], new ReputationWeights(), Now);

        Assert.Equal(expected, signals.Sum(s => s.Weight), 4);
        Assert.All(signals, s => Assert.Equal(SignalKind.Reputation, s.Kind));
    }

    [Fact]
    public void KindWeight_ScalesTheEvidence()
    {
        var ip = ReputationEvidence.Signals([With(SubjectKind.Ip, 4, 0)], new ReputationWeights(), Now).Single();
        var network = ReputationEvidence.Signals([With(SubjectKind.Network, 4, 0)], new ReputationWeights(), Now).Single();

        Assert.Equal(ip.Weight / 2, network.Weight, 9);
    }

    [Fact]
    public void Evidence_SaysWhatWasReportedWithoutNamingTheSubject()
    {
        var signal = ReputationEvidence.Signals([With(SubjectKind.Email, 1, 2)], new ReputationWeights(), Now).Single();

        Assert.Equal("reputation.email", signal.Name);
        Assert.Equal("this e-mail address was reported as spam once and as ham 2 times in the last 30 days", signal.Evidence);
    }

    [Fact]
    public void ContentBands_AddUpIntoOneCappedSignal()
    {
        var weights = new ReputationWeights();
        var three = Enumerable.Range(0, 3).Select(_ => With(SubjectKind.Content, 1, 0)).ToList();
        var many = Enumerable.Range(0, 8).Select(_ => With(SubjectKind.Content, 1000, 0)).ToList();

        var signal = Assert.Single(ReputationEvidence.Signals(three, weights, Now));
        var capped = Assert.Single(ReputationEvidence.Signals(many, weights, Now));

        Assert.Equal("reputation.content", signal.Name);
        Assert.Equal(3 * 0.25 * Math.Log(2), signal.Weight, 9);
        Assert.Equal(weights.Cap, capped.Weight, 9);
    }
}
