using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Tests;

public sealed partial class CommentScorerTests
{
    private static readonly Thresholds ModelThresholds = new(0.7, 0.95);

    private static CommentScorer Scorer(IScoringModel? model, ScoringOptions? options = null) =>
        new(new FixedClassifier(model), Options.Create(options ?? new ScoringOptions()));

    private static FixedContributionModel Model(double logit, Thresholds? thresholds = null, params Signal[] contributions) =>
        new("test-1", thresholds ?? ModelThresholds, logit, baseLogit: -1.5, contributions);

    private static Signal Word(string word, double weight) => new("content.word", SignalKind.Text, weight, word);

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex LowerHex32();

    [Fact]
    public void Check_NoModelLoaded_ThrowsModelNotReady()
    {
        var scorer = Scorer(null);

        Assert.Throws<ModelNotReadyException>(() => scorer.Check(TestComments.With()));
    }

    [Fact]
    public void Check_NullComment_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => Scorer(Model(0)).Check(null!));
    }

    [Fact]
    public void Check_NoRulesFire_ProbabilityIsModelLogitAndResultCarriesModel()
    {
        var model = Model(1.25);

        var result = Scorer(model).Check(TestComments.With("Lovely photos"));

        Assert.Equal(Probability.FromLogit(1.25), result.SpamProbability);
        Assert.Equal("test-1", result.ModelVersion);
        Assert.Equal(ModelThresholds, result.Thresholds);
        Assert.Equal(-1.5, result.Explanation.BaseWeight);
        Assert.Equal("Lovely photos", model.LastFeatures?.Text);
        Assert.False(string.IsNullOrWhiteSpace(result.Explanation.Summary));
        Assert.NotEmpty(result.Explanation.Processing);
    }

    [Theory]
    [InlineData(2.0, Verdict.Spam)] // exactly at the spam threshold
    [InlineData(4.0, Verdict.Discard)] // exactly at the discard threshold
    [InlineData(3.0, Verdict.Spam)] // between
    [InlineData(1.999999, Verdict.Ham)] // just below the spam threshold
    [InlineData(3.999999, Verdict.Spam)] // just below the discard threshold
    [InlineData(-5.0, Verdict.Ham)]
    public void Check_ProbabilityAgainstThresholds_GivesVerdict(double logit, Verdict expected)
    {
        // Thresholds computed with the same function, so "at the threshold" is exact equality.
        var thresholds = new Thresholds(Probability.FromLogit(2.0), Probability.FromLogit(4.0));

        var result = Scorer(Model(logit, thresholds)).Check(TestComments.With());

        Assert.Equal(expected, result.Verdict);
    }

    [Fact]
    public void Check_ThresholdOverrides_WinOverModel()
    {
        // Arrange: p = 0.5 is ham for the model (0.7) but spam and discard with the overrides.
        var options = new ScoringOptions { SpamThreshold = 0.3, DiscardThreshold = 0.5 };

        // Act
        var result = Scorer(Model(0), options).Check(TestComments.With());

        // Assert
        Assert.Equal(new Thresholds(0.3, 0.5), result.Thresholds);
        Assert.Equal(Verdict.Discard, result.Verdict);
    }

    [Fact]
    public void Check_OnlySpamThresholdOverridden_KeepsModelDiscardThreshold()
    {
        var result = Scorer(Model(0), new ScoringOptions { SpamThreshold = 0.4 }).Check(TestComments.With());

        Assert.Equal(new Thresholds(0.4, ModelThresholds.Discard), result.Thresholds);
        Assert.Equal(Verdict.Spam, result.Verdict);
    }

    [Fact]
    public void Check_SpamOverrideAboveModelDiscard_NeverDiscardsBelowSpamThreshold()
    {
        // Arrange: model thresholds (0.7, 0.95); operator raises only the spam threshold to 0.97.
        var options = new ScoringOptions { SpamThreshold = 0.97 };
        var logit = Probability.ToLogit(0.96);

        // Act
        var result = Scorer(Model(logit), options).Check(TestComments.With());

        // Assert: the effective thresholds are a valid pair, and 96% is below the 97% spam threshold.
        Assert.True(result.Thresholds.IsValid, $"effective thresholds {result.Thresholds}");
        Assert.Equal(Verdict.Ham, result.Verdict);
    }

    [Fact]
    public void Check_FilledHoneypot_AddsRuleWeightToLogitAndRuleSignal()
    {
        // Arrange
        var options = new ScoringOptions { Rules = { HoneypotFilled = 3.0 } };
        var comment = TestComments.With() with { Honeypot = new Honeypot("website", "http://bot.example") };

        // Act
        var result = Scorer(Model(-1.0), options).Check(comment);

        // Assert
        Assert.Equal(Probability.FromLogit(2.0), result.SpamProbability, 12);
        var signal = Assert.Single(result.Explanation.Signals, s => s.Name == "rule.honeypot");
        Assert.Equal(SignalKind.Rule, signal.Kind);
        Assert.Equal(3.0, signal.Weight);
        Assert.Contains("website", signal.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_EmptyHoneypot_AddsNothing()
    {
        var comment = TestComments.With() with { Honeypot = new Honeypot("website", "") };

        var result = Scorer(Model(-1.0)).Check(comment);

        Assert.Equal(Probability.FromLogit(-1.0), result.SpamProbability);
        Assert.Empty(result.Explanation.Signals);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(2999, true)]
    [InlineData(3000, false)]
    [InlineData(60_000, false)]
    public void Check_SubmitTime_BelowMinimumAddsBehaviourSignal(int milliseconds, bool fires)
    {
        // Arrange
        var options = new ScoringOptions { Rules = { SubmittedTooFast = 2.5, MinHumanSubmitMilliseconds = 3000 } };
        var comment = TestComments.With() with
        {
            ClientSignals = new ClientSignals(TimeSpan.FromMilliseconds(milliseconds), null),
        };

        // Act
        var result = Scorer(Model(0), options).Check(comment);

        // Assert
        var signal = result.Explanation.Signals.SingleOrDefault(s => s.Name == "behaviour.submit_time");
        Assert.Equal(fires, signal is not null);
        Assert.Equal(Probability.FromLogit(fires ? 2.5 : 0), result.SpamProbability, 12);
        if (signal is not null)
        {
            Assert.Equal(SignalKind.Behaviour, signal.Kind);
        }
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(null, false)]
    public void Check_JavaScriptRan_OnlyFalseAddsBehaviourSignal(bool? ran, bool fires)
    {
        var comment = TestComments.With() with { ClientSignals = new ClientSignals(null, ran) };

        var result = Scorer(Model(0)).Check(comment);

        var signal = result.Explanation.Signals.SingleOrDefault(s => s.Name == "behaviour.javascript");
        Assert.Equal(fires, signal is not null);
        Assert.Equal(Probability.FromLogit(fires ? 1.0 : 0), result.SpamProbability, 12);
    }

    [Theory]
    [InlineData("Administrator")]
    [InlineData("administrator")]
    [InlineData("ADMINISTRATOR")]
    public void Check_AdministratorRole_ForcesHamEvenForSpammyComment(string role)
    {
        // Arrange: strong spam from the model plus every other rule.
        var comment = TestComments.With() with
        {
            UserRole = role,
            Honeypot = new Honeypot("website", "x"),
            ClientSignals = new ClientSignals(TimeSpan.FromMilliseconds(10), false),
        };

        // Act
        var result = Scorer(Model(10)).Check(comment);

        // Assert
        Assert.Equal(Verdict.Ham, result.Verdict);
        Assert.Contains(result.Explanation.Signals, s => s is { Name: "rule.administrator", Kind: SignalKind.Rule, Weight: -30.0 });
    }

    [Theory]
    [InlineData("viagra-test-123", "")]
    [InlineData("Viagra-Test-123", "")]
    [InlineData("Jane", "akismet-guaranteed-spam@example.com")]
    public void Check_AkismetTestTriggers_AreSpamNeverDiscard_EvenForAHamText(string author, string email)
    {
        var comment = TestComments.With() with { Author = author, AuthorEmail = email };

        var hamText = Scorer(Model(-10)).Check(comment);
        var blatant = Scorer(Model(10)).Check(comment);

        Assert.Equal((Verdict.Spam, Verdict.Spam), (hamText.Verdict, blatant.Verdict));
        Assert.Contains(hamText.Explanation.Signals, s => s is { Name: "rule.test_spam", Kind: SignalKind.Rule, Weight: 30.0 });
    }

    [Fact]
    public void Check_AdministratorRole_WinsOverTheTestSpamTrigger()
    {
        var comment = TestComments.With() with { Author = "viagra-test-123", UserRole = "administrator" };

        Assert.Equal(Verdict.Ham, Scorer(Model(0)).Check(comment).Verdict);
    }

    [Fact]
    public void Check_AdministratorRole_IsHamEvenWhenTheLogitOutweighsTheRule()
    {
        var comment = TestComments.With() with { UserRole = "administrator" };

        var result = Scorer(Model(100)).Check(comment);

        Assert.Equal(Verdict.Ham, result.Verdict);
    }

    [Theory]
    [InlineData("editor")]
    [InlineData("admin")]
    [InlineData("")]
    public void Check_OtherRole_AddsNoAdministratorSignal(string role)
    {
        var result = Scorer(Model(1.5)).Check(TestComments.With() with { UserRole = role });

        Assert.Equal(Verdict.Spam, result.Verdict);
        Assert.DoesNotContain(result.Explanation.Signals, s => s.Name == "rule.administrator");
    }

    [Fact]
    public void Check_Signals_SortedByAbsoluteWeightDescending()
    {
        // Arrange: model contributions plus a 3.0 honeypot rule, deliberately out of order.
        var model = Model(0, null, Word("hello", 0.5), Word("thanks", -4.0), Word("pills", 2.0));
        var options = new ScoringOptions { Rules = { HoneypotFilled = 3.0 } };
        var comment = TestComments.With() with { Honeypot = new Honeypot("hp", "filled") };

        // Act
        var result = Scorer(model, options).Check(comment);

        // Assert
        Assert.Equal([-4.0, 3.0, 2.0, 0.5], result.Explanation.Signals.Select(s => s.Weight));
    }

    [Fact]
    public void Check_MoreSignalsThanMax_CappedToStrongest()
    {
        // Arrange
        var model = Model(0, null, Word("a", 0.5), Word("b", -4.0), Word("c", 2.0));
        var options = new ScoringOptions { MaxSignals = 2, Rules = { HoneypotFilled = 3.0 } };
        var comment = TestComments.With() with { Honeypot = new Honeypot("hp", "filled") };

        // Act
        var result = Scorer(model, options).Check(comment);

        // Assert
        Assert.Equal(["content.word", "rule.honeypot"], result.Explanation.Signals.Select(s => s.Name));
        Assert.Equal(2, model.LastMaxContributions);
    }

    [Fact]
    public void Check_ModelContributions_AreNotAddedToLogitAgain()
    {
        var model = Model(1.0, null, Word("pills", 5.0));

        var result = Scorer(model).Check(TestComments.With());

        Assert.Equal(Probability.FromLogit(1.0), result.SpamProbability);
    }

    [Fact]
    public void Check_ModelSwappedDuringCheck_UsesOneModelThroughout()
    {
        // Arrange: "old" calls p = 0.5 blatant spam; "new" calls it ham.
        var old = new FixedContributionModel("old", new Thresholds(0.2, 0.4), logit: 0);
        var @new = new FixedContributionModel("new", new Thresholds(0.9, 0.99), logit: -3);
        var classifier = new SwappingClassifier(old, @new);
        var scorer = new CommentScorer(classifier, Options.Create(new ScoringOptions()));

        // Act
        var result = scorer.Check(TestComments.With());

        // Assert
        Assert.Equal(1, classifier.Reads);
        Assert.Equal(0, @new.ScoreCalls);
        Assert.Equal("old", result.ModelVersion);
        Assert.Equal(old.Thresholds, result.Thresholds);
        Assert.Equal(0.5, result.SpamProbability);
        Assert.Equal(Verdict.Discard, result.Verdict);
    }

    [Fact]
    public void Check_ThousandCalls_CheckIdsAreLowerHexAndUnique()
    {
        var scorer = Scorer(Model(0));

        var ids = Enumerable.Range(0, 1000).Select(_ => scorer.Check(TestComments.With()).CheckId).ToList();

        Assert.All(ids, id => Assert.Matches(LowerHex32(), id));
        Assert.All(ids, id => Assert.True(CheckId.IsWellFormed(id)));
        Assert.Equal(1000, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef", true)]
    [InlineData("0123456789ABCDEF0123456789ABCDEF", false)]
    [InlineData("0123456789abcdef0123456789abcde", false)]
    [InlineData("0123456789abcdef0123456789abcdef0", false)]
    [InlineData("0123456789abcdef0123456789abcdeg", false)]
    [InlineData(null, false)]
    public void CheckId_IsWellFormed_OnlyThirtyTwoLowerHex(string? id, bool expected)
    {
        Assert.Equal(expected, CheckId.IsWellFormed(id));
    }
}
