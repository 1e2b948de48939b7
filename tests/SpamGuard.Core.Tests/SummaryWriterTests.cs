using SpamGuard.Core.Explanations;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Tests;

public sealed class SummaryWriterTests
{
    private static Signal Word(string word, double weight) => new("content.word", SignalKind.Text, weight, word);

    private static Signal Host(string host, double weight) => new("link.host", SignalKind.Link, weight, host);

    private static Signal Rule(string evidence, double weight = 8.0) => new("rule.honeypot", SignalKind.Rule, weight, evidence);

    [Fact]
    public void Write_Spam_MentionsRuleEvidenceWordsAndHosts()
    {
        // Arrange: strongest first, as the scorer passes them.
        Signal[] signals =
        [
            Rule("hidden field 'website' was filled in"),
            Word("viagra", 2.0),
            new("content.phrase", SignalKind.Text, 1.5, "cheap pills"),
            Host("pills.example", 1.2),
            Host("pills.example", 1.1),
            Host("meds.example", 1.0),
        ];

        // Act
        var summary = SummaryWriter.Write(Verdict.Spam, 0.97, signals);

        // Assert
        Assert.Equal(
            "Spam (97% spam probability): hidden field 'website' was filled in, wording typical of spam such as "
            + "\"viagra\", \"cheap pills\" and links to pills.example, meds.example.",
            summary);
    }

    [Fact]
    public void Write_Spam_IgnoresSignalsPointingTowardHam()
    {
        var summary = SummaryWriter.Write(Verdict.Spam, 0.8, [Word("casino", 1.0), Word("thanks", -2.0), Host("wikipedia.org", -1.0)]);

        Assert.Contains("\"casino\"", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("thanks", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("wikipedia.org", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Spam_NamesACueByItsDescription()
    {
        Signal[] signals = [new("content.cue", SignalKind.Text, 7.4, "promotion of the writer's own channel or videos"), Word("subscribe", 6.2)];

        var summary = SummaryWriter.Write(Verdict.Discard, 0.999, signals);

        Assert.Equal(
            "Blatant spam (>99% spam probability): promotion of the writer's own channel or videos and wording typical of spam such as \"subscribe\".",
            summary);
    }

    [Fact]
    public void Write_Ham_DoesNotGiveACueAsTheReason()
    {
        var summary = SummaryWriter.Write(Verdict.Ham, 0.1, [new("content.cue", SignalKind.Text, -0.5, "a price or amount of money"), Word("thanks", -2.0)]);

        Assert.DoesNotContain("price", summary, StringComparison.Ordinal);
        Assert.Contains("\"thanks\"", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ManyReasons_ListsAtMostThree()
    {
        Signal[] signals = [Rule("r1", 5), Rule("r2", 4), Rule("r3", 3), Rule("r4", 2)];

        var summary = SummaryWriter.Write(Verdict.Discard, 0.999, signals);

        Assert.Equal("Blatant spam (>99% spam probability): r1, r2 and r3.", summary);
    }

    [Fact]
    public void Write_Spam_NamesReputationThatPushedTheVerdict_EvenBehindStrongerTextReasons()
    {
        Signal[] signals =
        [
            new("content.cue", SignalKind.Text, 3.0, "prize or winning words"),
            new("content.stat.currency", SignalKind.Text, 2.5, "2"),
            Word("cheap", 2.0),
            new("link.present", SignalKind.Link, 1.8, "a link in the text"),
            new("reputation.ip", SignalKind.Reputation, 1.6, "this IP address was reported as spam 4 times and as ham 0 times in the last 30 days"),
        ];

        var summary = SummaryWriter.Write(Verdict.Spam, 0.9, signals);

        Assert.Contains("this IP address was reported as spam 4 times", summary, StringComparison.Ordinal);
        Assert.Contains("prize or winning words", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("a link in the text", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Ham_LeadsWithEvidencePresent_AndNamesAbsencesOnlyWhenNothingElseDecided()
    {
        var withWords = SummaryWriter.Write(Verdict.Ham, 0.05,
            [new("content.stat.numbers", SignalKind.Text, -1.5, "0 numbers"), Word("thanks", -1.0)]);
        var onlyAbsences = SummaryWriter.Write(Verdict.Ham, 0.05, [new("content.stat.numbers", SignalKind.Text, -1.5, "0 numbers")]);

        Assert.Equal("Ham (5% spam probability): ordinary wording such as \"thanks\".", withWords);
        Assert.Contains("little sign of", onlyAbsences, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ManyWords_QuotesAtMostFour()
    {
        var signals = Enumerable.Range(1, 5).Select(i => Word($"w{i}", 1.0)).ToList();

        var summary = SummaryWriter.Write(Verdict.Spam, 0.9, signals);

        Assert.Contains("\"w4\"", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("w5", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_HamWithoutDecidingSignals_SaysNothingTypicalOfSpam()
    {
        Assert.Equal("Ham (3% spam probability): nothing typical of spam.", SummaryWriter.Write(Verdict.Ham, 0.03, []));
    }

    [Fact]
    public void Write_HamWithOnlySpammySignals_SaysNothingTypicalOfSpam()
    {
        var summary = SummaryWriter.Write(Verdict.Ham, 0.2, [Word("free", 0.7)]);

        Assert.Equal("Ham (20% spam probability): nothing typical of spam.", summary);
    }

    [Fact]
    public void Write_HamWithNegativeSignals_NamesOrdinaryWordingAndFamiliarSites()
    {
        var summary = SummaryWriter.Write(Verdict.Ham, 0.05, [Word("thanks", -2.0), Host("wikipedia.org", -1.0)]);

        Assert.Equal("Ham (5% spam probability): ordinary wording such as \"thanks\" and links to familiar sites wikipedia.org.", summary);
    }

    [Fact]
    public void Write_SpamWithoutReasons_EndsAfterProbability()
    {
        Assert.Equal("Spam (80% spam probability).", SummaryWriter.Write(Verdict.Spam, 0.8, [Word("hello", -1.0)]));
    }

    [Fact]
    public void Write_StatisticSignal_UsesItsDescription()
    {
        var stat = new Signal("content.stat.currency_symbol", SignalKind.Text, 1.0, "1");

        Assert.Equal("Spam (90% spam probability): a currency symbol or price (1).", SummaryWriter.Write(Verdict.Spam, 0.9, [stat]));
        Assert.Contains("little sign of a currency symbol or price (1)", SummaryWriter.Write(Verdict.Ham, 0.1, [stat with { Weight = -1 }]), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AuthorAndBehaviourSignals_AreExplained()
    {
        Signal[] signals =
        [
            new("author.email_domain", SignalKind.Author, 2.0, "e-mail domain spam.example"),
            new("behaviour.submit_time", SignalKind.Behaviour, 1.0, "submitted 40 ms after the page loaded"),
        ];

        var summary = SummaryWriter.Write(Verdict.Spam, 0.9, signals);

        Assert.Equal("Spam (90% spam probability): author details (e-mail domain spam.example) and submitted 40 ms after the page loaded.", summary);
    }

    [Theory]
    [InlineData(0.5, "50%")]
    [InlineData(0.123, "12%")]
    [InlineData(0.987, "99%")]
    [InlineData(0.995, ">99%")]
    [InlineData(0.001, "<1%")]
    [InlineData(0.0, "<1%")]
    [InlineData(1.0, ">99%")]
    public void Write_Percentage_WholeInTheMiddleBoundedAtTheEnds(double probability, string expected)
    {
        var summary = SummaryWriter.Write(probability >= 0.5 ? Verdict.Spam : Verdict.Ham, probability, []);

        Assert.Contains($"({expected} spam probability)", summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.99966)]
    [InlineData(0.0003)]
    public void Write_ProbabilityStrictlyBetweenZeroAndOne_NeverClaimsCertainty(double probability)
    {
        var summary = SummaryWriter.Write(probability >= 0.5 ? Verdict.Discard : Verdict.Ham, probability, []);

        Assert.DoesNotContain("(100% spam", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("(0% spam", summary, StringComparison.Ordinal);
    }
}
