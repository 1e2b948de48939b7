using SpamGuard.Core.Features;
using SpamGuard.ML.Data;
using SpamGuard.ML.Models;
using SpamGuard.ML.Training;
using SpamGuard.Testing;

namespace SpamGuard.ML.Tests;

/// <summary>
/// train --held-out sources: each source of a multi-source corpus is scored by a model that never saw it, a
/// single-source corpus by folds, and calibration and thresholds are chosen on those scores, per held-out source.
/// </summary>
public sealed class LeaveOneSourceOutTests : IDisposable
{
    private static readonly string[] Sites = ["site-a", "site-b", "site-c"];

    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-loso-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The fixture corpus spread over three "sites" of one corpus (both labels on each), like the videos.</summary>
    private static List<TrainingExample> ThreeSites() =>
        [.. FixtureCorpus.Examples.Select((e, i) => e with { Corpus = "videos", Source = Sites[i % Sites.Length] })];

    [Fact]
    public void Sources_HoldsOutEachSourceOfAMultiSourceCorpus_AndFoldsASingleSourceCorpus()
    {
        var examples = ThreeSites().Take(90).Concat(FixtureCorpus.Examples.Skip(90).Select(e => e with { Corpus = "sms", Source = "sms" })).ToList();
        var rows = examples.Select(e => new FeaturizedExample(e, CommentFeatureExtractor.Extract(e.Content, e.Author))).ToList();
        var settings = TinyModel.Settings with { HeldOut = HeldOutGroups.Sources, CalibrationFolds = 4 };

        var (group, names) = HeldOutGroups.Assign(rows, settings);

        foreach (var site in Sites)
        {
            Assert.Contains(site, names);
            // Every row of a site is in the site's own group, and that group holds nothing else.
            var siteGroup = names.ToList().IndexOf(site);
            Assert.All(rows.Select((r, i) => (r, i)), p => Assert.Equal(p.r.Example.Source == site, group[p.i] == siteGroup));
        }

        var smsGroups = names.Where(n => n.StartsWith("sms fold ", StringComparison.Ordinal)).ToList();
        Assert.InRange(smsGroups.Count, 2, 4);
        Assert.Equal(Sites.Length + smsGroups.Count, names.Count);
    }

    [Fact]
    public void Folds_KeepsTheRandomFoldsOfBefore()
    {
        var rows = FixtureCorpus.Examples.Select(e => new FeaturizedExample(e, CommentFeatureExtractor.Extract(e.Content, e.Author))).ToList();
        var settings = TinyModel.Settings with { CalibrationFolds = 5 };

        var (group, names) = HeldOutGroups.Assign(rows, settings);

        Assert.Equal(5, names.Count);
        Assert.All(rows.Select((r, i) => (r, i)), p => Assert.Equal(DataSplit.Fold(p.r, 5, settings.Seed), group[p.i]));
    }

    [Fact]
    public void Train_WithSources_CalibratesAndChoosesThresholdsPerHeldOutSource_AndTheCardSaysSo()
    {
        var examples = ThreeSites();
        var file = new CorpusFile(Path.Combine(_dir, "videos.jsonl"), new string('0', 64), examples.Count, examples.Count(e => e.IsSpam), examples.Count(e => !e.IsSpam));
        var settings = TinyModel.Settings with { HeldOut = HeldOutGroups.Sources };

        var trained = SpamModelTrainer.Train(examples, [file], settings, "test");
        var card = trained.Card;

        Assert.Contains("leave-one-source-out", card.Calibration.Method, StringComparison.Ordinal);
        Assert.Contains("held-out source", card.Thresholds.Rule, StringComparison.Ordinal);
        var perSource = card.CrossValidation!.PerSource;
        Assert.Equal(Sites.Order(StringComparer.Ordinal), perSource.Keys.Order(StringComparer.Ordinal));
        // The rule: at most the target share of ham blocked on every held-out source (or the highest threshold tried).
        Assert.True(perSource.Values.All(m => m.FalsePositiveRate <= settings.TargetFalsePositiveRate) || card.Thresholds.Spam >= 0.99,
            string.Join(", ", perSource.Select(p => $"{p.Key}: {p.Value.FalsePositiveRate:P2}")));
        Assert.Equal(HeldOutGroups.Sources, SpamModelTrainer.SettingsFrom(card).HeldOut);
        Assert.Contains("Leave-one-source-out", ModelCardMarkdown.Write(card), StringComparison.Ordinal);
        Assert.Contains("mean F1", ModelCardMarkdown.Write(card), StringComparison.Ordinal);
    }

    [Fact]
    public void Train_WithAnUnknownHeldOutMethod_IsRefused()
    {
        var (examples, file) = TrainingDataReader.Read(FixtureCorpus.WriteJsonl(_dir));

        Assert.Throws<ArgumentOutOfRangeException>(() => SpamModelTrainer.Train(examples, [file], TinyModel.Settings with { HeldOut = "videos" }, "test"));
    }
}
