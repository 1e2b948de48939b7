using SpamGuard.Core.Features;
using SpamGuard.ML.Data;
using SpamGuard.ML.Models;
using SpamGuard.ML.Training;
using SpamGuard.Testing;

namespace SpamGuard.ML.Tests;

/// <summary>A model trained with <see cref="TrainerSettings.Cues"/>: the cues are weighed and explained like any
/// other feature, survive saving and loading, and the explanation still adds up to the logit.</summary>
public sealed class CueFeatureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-cues-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (Scoring.SpamModel Model, ModelCard Card) TrainWithCues()
    {
        var (examples, file) = TrainingDataReader.Read(FixtureCorpus.WriteJsonl(_dir));
        var trained = SpamModelTrainer.Train(examples, [file], TinyModel.Settings with { Cues = true }, "test");
        return ModelFiles.Load(ModelFiles.Save(Path.Combine(_dir, "model"), trained));
    }

    [Fact]
    public void Train_WithCues_ExplainsThemAndThePartsAddUp()
    {
        var (model, card) = TrainWithCues();
        var features = CommentFeatureExtractor.Extract("WINNER!! You have won a £1000 prize. Call 09061701461 now to claim", null);

        var score = model.Score(features, 100_000);

        Assert.Equal("true", card.Trainer.Parameters["cues"]);
        Assert.Contains(score.Contributions, c => c.Name == "content.cue" && c.Evidence == SpamCues.Descriptions["cue_prize"]);
        Assert.DoesNotContain(score.Contributions, c => c.Evidence == "other character patterns");
        Assert.Equal(score.Logit, score.BaseLogit + score.Contributions.Sum(c => c.Weight), 4);
    }

    [Fact]
    public void Train_WithoutCues_HasNoCueFeatures()
    {
        var model = ModelFiles.Load(TinyModel.ZipPath).Model;

        var score = model.Score(CommentFeatureExtractor.Extract("You have won a prize, call 09061701461", null), 100_000);

        Assert.DoesNotContain(score.Contributions, c => c.Name == "content.cue");
    }
}
