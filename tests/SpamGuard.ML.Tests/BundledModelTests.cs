using SpamGuard.Core.Features;
using SpamGuard.Core.Scoring;
using SpamGuard.ML.Models;
using SpamGuard.Testing;

namespace SpamGuard.ML.Tests;

/// <summary>The model files in <c>models/</c>: the default the server and CLI load, and the older version kept as a
/// rollback target, which must keep loading and scoring exactly as before under code that added features.</summary>
public sealed class BundledModelTests
{
    private static string Bundled(string fileName) => RepositoryFiles.PathOf("models", fileName);

    [Fact]
    public void Default_LoadsAndSeparatesObviousSpamFromHam()
    {
        var (model, card) = ModelFiles.Load(RepositoryFiles.PathOf(ModelOptions.BundledModelPath.Split('/')));
        using var _ = model;

        var spam = model.Score(CommentFeatureExtractor.Extract("WINNER!! You have won a £1000 prize. Call 09061701461 now to claim", null), 100_000);
        var ham = model.Score(CommentFeatureExtractor.Extract("Great write-up on database indexes. Could you share the benchmark setup you used?", null), 100_000);

        Assert.Equal(Path.GetFileNameWithoutExtension(ModelOptions.BundledModelPath), card.ModelVersion);
        Assert.True(Probability.FromLogit(spam.Logit) >= card.Thresholds.Spam, $"spam scored {Probability.FromLogit(spam.Logit)}");
        Assert.True(Probability.FromLogit(ham.Logit) < card.Thresholds.Spam, $"ham scored {Probability.FromLogit(ham.Logit)}");
        Assert.Equal(spam.Logit, spam.BaseLogit + spam.Contributions.Sum(c => c.Weight), 4);
    }

    // Probabilities that 1.0.0 gave these SMS rows under the code that trained it (spamguard evaluate --errors, before
    // cue features and character n-gram weighting existed); all 6,046 rows of both corpora matched exactly.
    [Theory]
    [InlineData("100 dating service cal;l 09064012103 box334sk38ch", 0.9977844716773475)]
    [InlineData("Actually i deleted my old website..now i m blogging at magicalsongs.blogspot.com", 0.6775688225052389)]
    [InlineData("Hey pple...$700 or $900 for 5 nights...Excellent location wif breakfast hamper!!!", 0.7163581833129535)]
    [InlineData("U dun say so early hor... U c already then say...", 0.00039253256100825885)]
    public void Version100_WithACardThatPredatesCues_ScoresAsItDidBefore(string content, double probability)
    {
        var (model, card) = ModelFiles.Load(Bundled("spamguard-1.0.0.zip"));
        using var _ = model;

        var features = CommentFeatureExtractor.Extract(content, null);
        var score = model.Score(features, 100_000);
        var reference = model.ScoreReference(features, 100_000);

        Assert.Equal("spamguard-1.0.0", card.ModelVersion);
        Assert.DoesNotContain("cues", card.Trainer.Parameters.Keys);
        Assert.DoesNotContain("char_weighting", card.Trainer.Parameters.Keys);
        Assert.DoesNotContain(score.Contributions, c => c.Name == "content.cue");
        // ML.NET (the reference) reproduces the pinned figure to the digit; the compiled scorer sums in double where
        // ML.NET sums in float, so it agrees to float precision.
        Assert.Equal(probability, Probability.FromLogit(reference.Logit), 9);
        Assert.Equal(probability, Probability.FromLogit(score.Logit), 1e-6);
    }
}
