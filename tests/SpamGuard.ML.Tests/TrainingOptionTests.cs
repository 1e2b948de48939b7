using SpamGuard.Core.Features;
using SpamGuard.ML.Data;
using SpamGuard.ML.Models;
using SpamGuard.ML.Training;
using SpamGuard.Testing;

namespace SpamGuard.ML.Tests;

/// <summary>Models trained with class balancing or the hinge-loss trainer: recorded in the card and read back for
/// retraining, and, saved and loaded like the server loads them, they still score and explain (character n-grams
/// placed in their words, the parts adding up to the logit).</summary>
public sealed class TrainingOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-options-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(true, "lbfgs")]
    [InlineData(true, "sdca")]
    [InlineData(false, "svm")]
    public void Train_WithOption_IsRecordedScoresAndExplains(bool balance, string algorithm)
    {
        var (examples, file) = TrainingDataReader.Read(FixtureCorpus.WriteJsonl(_dir));
        var requested = TinyModel.Settings with { BalanceClasses = balance, Algorithm = algorithm, Cues = true };
        var trained = SpamModelTrainer.Train(examples, [file], requested, "test");
        var (model, card) = ModelFiles.Load(ModelFiles.Save(Path.Combine(_dir, "model"), trained));

        var settings = SpamModelTrainer.SettingsFrom(card);
        Assert.Equal(balance, settings.BalanceClasses);
        Assert.Equal(algorithm, settings.Algorithm);
        Assert.Equal(trained.Model.FeatureCount, model.FeatureCount);

        var spam = model.Margin(CommentFeatureExtractor.Extract(FixtureCorpus.Spam.First().Content, null));
        var ham = model.Margin(CommentFeatureExtractor.Extract(FixtureCorpus.Ham.First().Content, null));
        Assert.True(spam > ham, $"spam {spam}, ham {ham}");
        var score = model.Score(CommentFeatureExtractor.Extract("WINNER!! You have won a £1000 prize. Call 09061701461 now", null), 100_000);
        Assert.Contains(score.Contributions, c => c.Name == "content.chars" && c.Evidence != "other character patterns");
        Assert.Contains(score.Contributions, c => c.Name == "content.word");
        Assert.DoesNotContain(score.Contributions, c => c.Evidence == "other character patterns");
        Assert.Equal(score.Logit, score.BaseLogit + score.Contributions.Sum(c => c.Weight), 4);
    }

    [Fact]
    public void SettingsFrom_CardWrittenBeforeBalancing_KeepsHowItWasTrained()
    {
        var card = TinyModel.TrainInMemory().Card;
        var parameters = card.Trainer.Parameters.Where(p => p.Key is not "balance_classes").ToDictionary(p => p.Key, p => p.Value);

        var settings = SpamModelTrainer.SettingsFrom(card with { Trainer = card.Trainer with { Parameters = parameters } });

        Assert.False(settings.BalanceClasses);
        Assert.Equal("lbfgs", settings.Algorithm);
    }

    [Theory]
    [InlineData(0f, 0f, false)]
    [InlineData(0.001f, 0.001f, false)]
    [InlineData(0.001f, 0f, true)]
    public void Train_Svm_WithoutLambdaWithL1OrBalanced_IsRefused(float l2, float l1, bool balance)
    {
        var settings = TinyModel.Settings with { Algorithm = "svm", L2Regularization = l2, L1Regularization = l1, BalanceClasses = balance };

        Assert.Throws<ArgumentOutOfRangeException>(() => SpamModelTrainer.Train(FixtureCorpus.Examples, [], settings, "test"));
    }

    [Fact]
    public void BalancedWeights_GiveEachLabelOfACorpusHalfItsWeight()
    {
        // Corpus a: 1 spam, 3 ham; corpus b: 2 spam, 2 ham; corpus c: ham only.
        (string, bool)[] rows = [("a", true), ("a", false), ("a", false), ("a", false), ("b", true), ("b", false), ("b", true), ("b", false), ("c", false), ("c", false)];

        var weights = SpamModelTrainer.BalancedWeights(rows);

        Assert.Equal([2f, 2f / 3, 2f / 3, 2f / 3, 1f, 1f, 1f, 1f, 1f, 1f], weights);
        Assert.Equal(rows.Length, weights.Sum(), 4);
    }
}
