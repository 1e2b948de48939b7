using SpamGuard.Core.Features;
using SpamGuard.Core.Scoring;
using SpamGuard.ML.Scoring;
using SpamGuard.Testing;

namespace SpamGuard.ML.Tests;

public sealed class SpamModelTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    private static CommentFeatures Features(string content, string? author = null) =>
        CommentFeatureExtractor.Extract(content, author);

    [Fact]
    public void Score_ObviousSpamAndHam_FallOnTheirSides()
    {
        var spam = fixture.Model.Score(Features("WINNER!! Buy cheap viagra now at http://pills-shop.example/order, best price!!!"), 10);
        var ham = fixture.Model.Score(Features("Thanks for this post about garbage collection, it helped me understand the details."), 10);

        Assert.True(Probability.FromLogit(spam.Logit) >= fixture.Model.Thresholds.Spam, $"spam logit {spam.Logit}");
        Assert.True(Probability.FromLogit(ham.Logit) < fixture.Model.Thresholds.Spam, $"ham logit {ham.Logit}");
    }

    [Fact]
    public void Score_ContributionsPlusBase_SumExactlyToTheLogit()
    {
        // Few enough features that the cap does not cut any off: the explanation is the whole prediction.
        var score = fixture.Model.Score(Features("cheap viagra"), 1000);

        var sum = score.BaseLogit + score.Contributions.Sum(c => c.Weight);

        Assert.Equal(score.Logit, sum, 4);
        Assert.NotEmpty(score.Contributions);
    }

    [Fact]
    public void Score_Contributions_AreSortedCappedAndNameWhatFired()
    {
        var score = fixture.Model.Score(Features("Buy cheap viagra online at http://pills-shop.example/order now"), 5);

        Assert.True(score.Contributions.Count <= 5);
        var magnitudes = score.Contributions.Select(c => Math.Abs(c.Weight)).ToList();
        Assert.Equal(magnitudes.OrderDescending(), magnitudes);
        Assert.All(score.Contributions, c => Assert.False(string.IsNullOrWhiteSpace(c.Evidence) && c.Name.StartsWith("content.word", StringComparison.Ordinal)));
        var all = fixture.Model.Score(Features("Buy cheap viagra online at http://pills-shop.example/order now"), 1000).Contributions;
        Assert.Contains(all, c => c.Name == "link.host" && c.Evidence == "pills-shop.example");
        Assert.Contains(all, c => c.Name == "content.word" && c.Evidence == "viagra");
    }

    [Fact]
    public void Score_CharacterPieces_AreReportedOncePerWord()
    {
        var score = fixture.Model.Score(Features("Buy cheap viagra online at http://pills-shop.example/order now"), 10);

        var chars = score.Contributions.Where(c => c.Name == "content.chars").ToList();
        Assert.Equal(chars.Count, chars.Select(c => c.Evidence).Distinct().Count());
        Assert.All(chars, c => Assert.DoesNotContain(TextNormalizerPlaceholder, c.Evidence, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Check out my channel!!! FREE iPhone giveaway, visit http://x.example now")]
    [InlineData("Café déjà-vu: \"naïve\" résumé (really), isn't it?  Spaces   and... dots")]
    [InlineData("WINNER!! You have won a £1000 prize. Call 09061701461 now to claim, T&C apply")]
    [InlineData("free 😀😀 emoji | pipes || and\ttabs ✌ subscribe")]
    public void Score_EveryCharacterPiece_IsPlacedInAWordAndThePartsAddUp(string text)
    {
        var score = fixture.Model.Score(Features(text), 100_000);

        Assert.DoesNotContain(score.Contributions, c => c.Evidence == "other character patterns");
        Assert.Equal(score.Logit, score.BaseLogit + score.Contributions.Sum(c => c.Weight), 4);
    }

    [Fact]
    public void Score_Evidence_NeverQuotesAnEmailAddressIpOrPhoneNumber()
    {
        var all = fixture.Model.Score(Features("WINNER!! mail bob.smith@mail.example or 203.0.113.9, call 09061701461 to claim"), 100_000).Contributions;

        Assert.Contains(all, c => c.Evidence.Contains("[number]", StringComparison.Ordinal) || c.Evidence.Contains("[email]", StringComparison.Ordinal));
        Assert.Equal(all.Count, all.Select(c => (c.Name, c.Evidence)).Distinct().Count());
        Assert.All(all, c =>
        {
            Assert.DoesNotContain("bob", c.Evidence, StringComparison.Ordinal);
            Assert.DoesNotContain("203.0.113.9", c.Evidence, StringComparison.Ordinal);
            Assert.DoesNotContain("09061701461", c.Evidence, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Score_WordWhosePiecesAreSpreadOut_RanksByItsTotal()
    {
        var all = fixture.Model.Score(Features("subscribe to my channel for free giveaways"), 100_000).Contributions;
        var top = fixture.Model.Score(Features("subscribe to my channel for free giveaways"), 3).Contributions;

        Assert.Equal(all.Take(3), top);
    }

    [Fact]
    public void ClassifierDispose_ReleasesTheActiveModelsEngines()
    {
        var model = SpamGuard.ML.Models.ModelFiles.Load(TinyModel.ZipPath).Model;
        var classifier = new SpamClassifier();
        classifier.Activate(model);
        Assert.True(model.Score(Features("cheap pills"), 3).Logit != 0);

        classifier.Dispose();

        Assert.Null(classifier.Current);
        Assert.Throws<ObjectDisposedException>(() => model.Score(Features("cheap pills"), 3));
    }

    private const string TextNormalizerPlaceholder = SpamGuard.Core.Features.TextNormalizer.LinkPlaceholder;

    [Fact]
    public void Score_InParallel_MatchesSequentialResults()
    {
        var inputs = FixtureCorpus.Examples.Select(e => Features(e.Content, e.Author)).ToList();
        var sequential = inputs.Select(f => fixture.Model.Score(f, 3).Logit).ToList();

        var parallel = new double[inputs.Count];
        Parallel.For(0, inputs.Count * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            parallel[i % inputs.Count] = fixture.Model.Score(inputs[i % inputs.Count], 3).Logit);

        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public async Task Activate_DuringConcurrentScoring_EveryCheckUsesOneWholeModel()
    {
        var first = fixture.Model;
        var second = SpamGuard.ML.Models.ModelFiles.Load(TinyModel.ZipPath).Model;
        var classifier = new SpamClassifier();
        classifier.Activate(first);
        var features = Features("cheap viagra at http://pills-shop.example");
        var failures = 0;
        var seen = new System.Collections.Concurrent.ConcurrentBag<IScoringModel>();

        using var stop = new CancellationTokenSource();
        var scorers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var model = classifier.Current!;
                    model.Score(features, 5);
                    seen.Add(model);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 50; i++)
        {
            // Let the scorers make progress on each version before swapping again.
            var before = seen.Count;
            while (seen.Count < before + 5 && !deadline.IsCancellationRequested)
            {
                await Task.Yield();
            }

            classifier.Activate(i % 2 == 0 ? second : first);
        }

        stop.Cancel();
        await Task.WhenAll(scorers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, failures);
        Assert.Contains(seen, m => ReferenceEquals(m, first));
        Assert.Contains(seen, m => ReferenceEquals(m, second));
        Assert.Same(first, classifier.Current);
    }
}
