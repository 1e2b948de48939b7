using SpamGuard.Core.Features;
using SpamGuard.ML.Data;
using SpamGuard.ML.Training;
using SpamGuard.Testing;

namespace SpamGuard.ML.Tests;

public sealed class TrainerTests
{
    [Fact]
    public void Train_SameSeedAndData_GivesTheSameModel()
    {
        var a = TinyModel.TrainInMemory();
        var b = TinyModel.TrainInMemory();
        var features = CommentFeatureExtractor.Extract("cheap viagra at http://pills-shop.example", null);

        Assert.Equal(a.Model.Margin(features), b.Model.Margin(features));
        Assert.Equal(a.Card.Thresholds, b.Card.Thresholds);
        Assert.Equal(a.Card.Calibration, b.Card.Calibration);
    }

    [Fact]
    public void Train_ValidationRows_NeverShareATextWithTrainingRows()
    {
        var trained = TinyModel.TrainInMemory();
        var validationTexts = trained.Validation.Select(v => CommentFeatureExtractor.Extract(v.Content, v.Author).Text).ToHashSet();
        // The model trains on the fixture as read back from its file, so rows are matched by their content.
        var held = trained.Validation.Select(v => v.Content).ToHashSet(StringComparer.Ordinal);
        var trainingTexts = FixtureCorpus.Examples.Where(e => !held.Contains(e.Content))
            .Select(e => CommentFeatureExtractor.Extract(e.Content, e.Author).Text);

        Assert.NotEmpty(trained.Validation);
        Assert.DoesNotContain(trainingTexts, validationTexts.Contains);
        Assert.Equal(trained.Validation.Count, trained.Card.Validation.Overall.Count);
    }

    [Fact]
    public void Split_DuplicatesAndStrata_StayTogetherAndProportional()
    {
        var rows = Enumerable.Range(0, 100)
            .Select(i => new TrainingExample($"{i}", i < 50 ? "a" : "b", "s", null, $"text {i % 40}", i % 2 == 0))
            .Select(e => new FeaturizedExample(e, CommentFeatureExtractor.Extract(e.Content, null)))
            .ToList();

        var (train, validation) = DataSplit.Split(rows, 0.2, seed: 1);

        var validationKeys = validation.Select(v => v.GroupKey).ToHashSet();
        Assert.DoesNotContain(train, t => validationKeys.Contains(t.GroupKey));
        Assert.InRange(validation.Count, 10, 30);
    }

    [Fact]
    public void Split_TextsDifferingOnlyInCasePunctuationOrSpacing_StayOnOneSide()
    {
        string[] variants = ["Call 0800 now to claim!", "call 0800 now to claim", "CALL 0800 NOW, TO CLAIM!!", "Call  0800 now to claim..."];
        var rows = Enumerable.Range(0, 200)
            .Select(i => new TrainingExample($"{i}", "c", "s", null, i < 40 ? variants[i % variants.Length] : $"other text number {i}", i % 2 == 0))
            .Select(e => new FeaturizedExample(e, CommentFeatureExtractor.Extract(e.Content, null)))
            .ToList();

        for (var seed = 0; seed < 20; seed++)
        {
            var (train, validation) = DataSplit.Split(rows, 0.2, seed);

            var variantsInValidation = validation.Count(v => variants.Contains(v.Example.Content));
            var variantsInTraining = train.Count(t => variants.Contains(t.Example.Content));
            Assert.True(variantsInValidation == 0 || variantsInTraining == 0, $"seed {seed}: {variantsInTraining} in training, {variantsInValidation} in validation");
        }
    }

    [Theory]
    [InlineData("Call NOW!!  Free   prize", "call now free prize")]
    [InlineData("...", "")]
    [InlineData("Ünïcode, wörds", "ünïcode wörds")]
    public void GroupKey_KeepsLowerCasedLettersAndDigitsOnly(string text, string key) =>
        Assert.Equal(key, GroupKeys.Of(text));

    [Fact]
    public void Train_Card_DescribesDataSeedCalibrationAndCommand()
    {
        var card = TinyModel.TrainInMemory().Card;

        Assert.Equal(TinyModel.Settings.Seed, card.Seed);
        Assert.Equal("tiny-" + TinyModel.Version, card.ModelVersion);
        Assert.Single(card.Data);
        Assert.StartsWith("spamguard train", card.Command, StringComparison.Ordinal);
        Assert.True(card.Calibration.Slope > 0);
        Assert.True(card.Thresholds.Spam < card.Thresholds.Discard);
        Assert.True(card.Validation.Overall.F1 > 0.8, $"tiny model validation F1 {card.Validation.Overall.F1}");
    }

    [Fact]
    public void Train_TooFewRowsToCalibrate_IsAClearError()
    {
        // Two spam and two ham texts pass the split, but no fold can both train on and score both classes.
        var rows = FixtureCorpus.Spam.Take(3).Concat(FixtureCorpus.Ham.Take(3)).ToList();

        var ex = Assert.Throws<TrainingDataException>(() =>
            SpamModelTrainer.Train(rows, [], TinyModel.Settings with { CalibrationFolds = 5 }, "test"));

        Assert.Contains("calibrate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_OnlyOneClass_IsAClearError()
    {
        var onlyHam = FixtureCorpus.Ham.ToList();

        var ex = Assert.Throws<TrainingDataException>(() =>
            SpamModelTrainer.Train(onlyHam, [], TinyModel.Settings, "test"));

        Assert.Contains("spam", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_CorpusWithoutLinksOrAuthors_TrainsATextOnlyModelThatScoresAndExplains()
    {
        // A "content,label" CSV: no author column, and no text with a link in it.
        var plain = FixtureCorpus.Examples
            .Select(e => e with { Author = null, Content = TextWithoutLinks(e.Content) })
            .ToList();

        var trained = SpamModelTrainer.Train(plain, [], TinyModel.Settings, "test");
        var score = trained.Model.Score(CommentFeatureExtractor.Extract("WINNER!! call now to claim your prize", "BOB99", "mail.example", new Uri("http://shop.example")), 10);

        Assert.True(score.Logit > 0, $"logit {score.Logit}");
        Assert.Contains(score.Contributions, c => c.Kind == SpamGuard.Core.Explanations.SignalKind.Text);
        Assert.DoesNotContain(score.Contributions, c => c.Kind is SpamGuard.Core.Explanations.SignalKind.Link or SpamGuard.Core.Explanations.SignalKind.Author);
    }

    [Fact]
    public void Train_OutOfFold_HasEveryTrainingRowOnceAndMatchesTheCrossValidationFigures()
    {
        var trained = TinyModel.TrainInMemory();

        Assert.Equal(trained.Card.CrossValidation!.Overall.Count, trained.OutOfFold.Count);
        Assert.Equal(trained.OutOfFold.Count, trained.OutOfFold.Select(o => o.Example.Id).Distinct().Count());
        Assert.DoesNotContain(trained.OutOfFold, o => trained.Validation.Any(v => v.Id == o.Example.Id));
        Assert.All(trained.OutOfFold, o => Assert.InRange(o.Probability, 0, 1));
        var caught = trained.OutOfFold.Count(o => o.Example.IsSpam && o.Probability >= trained.Card.Thresholds.Spam);
        Assert.Equal(trained.Card.CrossValidation.Overall.SpamCaught, caught);
    }

    [Theory]
    [InlineData("tfidf", "idf")]
    [InlineData("idf", "tfidf")]
    public void Train_Weightings_AreRecordedAndReadBackForRetraining(string words, string chars)
    {
        var trained = SpamModelTrainer.Train(FixtureCorpus.Examples, [], TinyModel.Settings with { Weighting = words, CharWeighting = chars, Cues = true }, "test");

        var settings = SpamModelTrainer.SettingsFrom(trained.Card);

        Assert.Equal(words, settings.Weighting);
        Assert.Equal(chars, settings.CharWeighting);
        Assert.True(settings.Cues);
        var spam = trained.Model.Margin(CommentFeatureExtractor.Extract(FixtureCorpus.Spam.First().Content, null));
        var ham = trained.Model.Margin(CommentFeatureExtractor.Extract(FixtureCorpus.Ham.First().Content, null));
        Assert.True(spam > ham, $"spam {spam}, ham {ham}");
        // Weighted character n-grams are still placed in their words, and the explanation still adds up.
        var score = trained.Model.Score(CommentFeatureExtractor.Extract("WINNER!! You have won a £1000 prize. Call 09061701461 now", null), 100_000);
        Assert.DoesNotContain(score.Contributions, c => c.Evidence == "other character patterns");
        Assert.Equal(score.Logit, score.BaseLogit + score.Contributions.Sum(c => c.Weight), 4);
    }

    [Fact]
    public void SettingsFrom_CardWrittenBeforeWeightingOfCharactersAndCues_KeepsHowItWasTrained()
    {
        var card = TinyModel.TrainInMemory().Card;
        var parameters = card.Trainer.Parameters.Where(p => p.Key is not ("char_weighting" or "cues")).ToDictionary(p => p.Key, p => p.Value);

        var settings = SpamModelTrainer.SettingsFrom(card with { Trainer = card.Trainer with { Parameters = parameters } });

        Assert.Equal("tf", settings.CharWeighting);
        Assert.False(settings.Cues);
    }

    private static string TextWithoutLinks(string content) =>
        string.Join(' ', content.Split(' ').Where(w => CommentFeatureExtractor.Extract(w, null).LinkHosts.Length == 0));
}
