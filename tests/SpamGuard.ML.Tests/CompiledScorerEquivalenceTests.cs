using System.Globalization;
using SpamGuard.Core.Features;
using SpamGuard.Core.Scoring;
using SpamGuard.ML.Data;
using SpamGuard.ML.Models;
using SpamGuard.ML.Scoring;
using SpamGuard.Testing;

namespace SpamGuard.ML.Tests;

/// <summary>
/// The compiled scorer (what the server and CLI serve) against ML.NET's prediction engine (the reference), comment by
/// comment: the same probability to 1e-5 and the same top signals (names, evidence and order; weights to 1e-5).
/// Every row of ../shared/data when it is there (CI has it), and always a fixture corpus written to hit what the
/// featuriser is fussy about: surrogate pairs, '|' inside words, punctuation-only tokens, diacritics, markup, links.
/// </summary>
public sealed class CompiledScorerEquivalenceTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    private const double Tolerance = 1e-5;
    private const int MaxSignals = 10;

    public static TheoryData<string> BundledModels => ["spamguard-1.0.0.zip", "spamguard-1.1.0.zip"];

    /// <summary>Rows no training corpus needs to contain for the featuriser to be tested on them.</summary>
    private static readonly (string Content, string? Author, string? EmailDomain, string? AuthorUrl)[] Tricky =
    [
        ("", null, null, null),
        ("!!!", null, null, null),
        ("a - b -- c ... d", "x", null, null),
        ("free 😀😀 emoji | pipes || and\ttabs ✌ subscribe a|b|c", null, null, null),
        ("Café déjà-vu: \"naïve\" résumé (really), isn't it?  Spaces   and... dots", "Zoë Ünal", "bücher.example", "http://bücher.example/x"),
        ("WINNER!! You have won a £1000 prize. Call 09061701461 now to claim, T&C apply, txt STOP to 87239", "BOB99", "mail.example", null),
        ("<a href=\"http://spam.example/buy\">http://spam.example/buy</a> &lt;b&gt; &amp; &#xFEFF;hidden\uFEFF", "Shop.example Deals", null, "https://www.shop.example/"),
        ("Check out my channel!!! FREE iPhone giveaway, visit http://x.example now 𝐅𝐑𝐄𝐄 𝓂𝑜𝓃𝑒𝓎 👉👉", "Very Long Author Name Here", "gmail.com", "my-site.example/about me"),
        ("ΑΒΓ αβγ Привет мир 你好世界 مرحبا", null, null, null),
        ("x\u0301y\u0308 ﬁ ß İstanbul ǅ", null, null, null),
        ("$500 €20 ¥3000 150p 10ppm 2000 pounds, send GO to 87121 or call 0800 123 4567", null, null, null),
        ("free free free free free entry entry to win win win", null, null, null),
    ];

    [Theory]
    [MemberData(nameof(BundledModels))]
    public void BundledModel_FixtureRows_CompiledEqualsReference(string fileName)
    {
        var (model, _) = ModelFiles.Load(RepositoryFiles.PathOf("models", fileName));
        using var _ = model;

        var compared = Compare(model, FixtureRows());

        Assert.Equal(FixtureRows().Count(), compared);
    }

    [Fact]
    public void TinyModel_FixtureRows_CompiledEqualsReference()
    {
        var compared = Compare(fixture.Model, FixtureRows());

        Assert.Equal(FixtureRows().Count(), compared);
    }

    [Fact]
    public void FreshlyTrainedModel_CompiledEqualsReference()
    {
        // Not loaded from a file: the compiled scorer reads a just-fitted pipeline through a round trip.
        var trained = TinyModel.TrainInMemory();

        Assert.Equal(FixtureRows().Count(), Compare(trained.Model, FixtureRows()));
    }

    [Theory]
    [MemberData(nameof(BundledModels))]
    public void BundledModel_EverySharedCorpusRow_CompiledEqualsReference(string fileName)
    {
        var files = SharedCorpusFiles();
        if (files.Count == 0)
        {
            // ../shared is not checked out (the suite must pass without it); the fixture tests above still run.
            return;
        }

        var (model, _) = ModelFiles.Load(RepositoryFiles.PathOf("models", fileName));
        using var _ = model;
        var expected = 0;
        var rows = new List<CommentFeatures>();
        foreach (var file in files)
        {
            var (examples, corpus) = TrainingDataReader.Read(file);
            expected += corpus.Rows;
            rows.AddRange(examples.Select(e => CommentFeatureExtractor.Extract(e.Content, e.Author)));
        }

        var compared = Compare(model, rows);

        Assert.Equal(expected, compared);
        Assert.True(compared > 6000, $"only {compared} shared rows");
    }

    private static IReadOnlyList<string> SharedCorpusFiles()
    {
        var data = RepositoryFiles.PathOf("..", "shared", "data");
        return Directory.Exists(data)
            ? [.. Directory.EnumerateFiles(data, "*.jsonl", SearchOption.AllDirectories).Order(StringComparer.Ordinal)]
            : [];
    }

    private static IEnumerable<CommentFeatures> FixtureRows() =>
        FixtureCorpus.Examples.Select(e => CommentFeatureExtractor.Extract(e.Content, e.Author))
            .Concat(Tricky.Select(t => CommentFeatureExtractor.Extract(t.Content, t.Author, t.EmailDomain,
                t.AuthorUrl is null ? null : new Uri(t.AuthorUrl, UriKind.RelativeOrAbsolute))));

    /// <returns>How many rows were compared; fails with the first disagreements.</returns>
    private static int Compare(SpamModel model, IEnumerable<CommentFeatures> rows)
    {
        var failures = new List<string>();
        var disagreeing = 0;
        var count = 0;
        foreach (var features in rows)
        {
            count++;
            var compiled = model.Score(features, MaxSignals);
            var reference = model.ScoreReference(features, MaxSignals);
            if (Disagreement(compiled, reference) is { } difference)
            {
                disagreeing++;
                if (failures.Count < 10)
                {
                    failures.Add($"row {count} ({features.Text.Length} chars): {difference}");
                }
            }
        }

        Assert.True(disagreeing == 0, $"{disagreeing} of {count} rows disagree:\n{string.Join('\n', failures)}");
        return count;
    }

    private static string? Disagreement(ModelScore compiled, ModelScore reference)
    {
        var p = Probability.FromLogit(compiled.Logit);
        var q = Probability.FromLogit(reference.Logit);
        if (Math.Abs(p - q) > Tolerance)
        {
            return string.Create(CultureInfo.InvariantCulture, $"probability {p} vs reference {q}");
        }

        if (compiled.BaseLogit != reference.BaseLogit)
        {
            return "base log-odds differ";
        }

        if (compiled.Contributions.Count != reference.Contributions.Count)
        {
            return $"{compiled.Contributions.Count} signals vs reference {reference.Contributions.Count}";
        }

        for (var i = 0; i < compiled.Contributions.Count; i++)
        {
            var (a, b) = (compiled.Contributions[i], reference.Contributions[i]);
            if (a.Name != b.Name || a.Kind != b.Kind || a.Evidence != b.Evidence || Math.Abs(a.Weight - b.Weight) > Tolerance)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"signal {i}: {a.Name} '{a.Evidence}' {a.Weight} vs reference {b.Name} '{b.Evidence}' {b.Weight}");
            }
        }

        return null;
    }
}
