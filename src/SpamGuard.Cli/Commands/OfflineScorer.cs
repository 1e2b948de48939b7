using Microsoft.Extensions.Options;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Scoring;
using SpamGuard.ML.Data;
using SpamGuard.ML.Models;

namespace SpamGuard.Cli.Commands;

/// <summary>The server's scoring path (Core's <see cref="CommentScorer"/>) run in this process, on a model file.</summary>
internal sealed class OfflineScorer
{
    private static readonly Uri EvaluationSite = new("https://evaluation.invalid/");
    private readonly CommentScorer _scorer;

    private OfflineScorer(CommentScorer scorer, ModelCard card)
    {
        _scorer = scorer;
        Card = card;
    }

    public ModelCard Card { get; }

    /// <param name="reference">Score through ML.NET's prediction engine instead of the compiled scorer the server
    /// uses: the reference the compiled scorer is tested against.</param>
    public static OfflineScorer Load(string zipPath, bool reference = false)
    {
        var (model, card) = ModelFiles.Load(zipPath);
        var classifier = new FixedClassifier(reference ? model.Reference : model);
        return new OfflineScorer(new CommentScorer(classifier, Options.Create(new ScoringOptions())), card);
    }

    public static Comment ToComment(TrainingExample example) =>
        new() { Site = EvaluationSite, Content = example.Content, Author = example.Author ?? "" };

    public CheckResult Check(Comment comment) => _scorer.Check(comment);

    /// <summary>One model for the life of the process: the CLI never swaps versions.</summary>
    private sealed class FixedClassifier(IScoringModel model) : ISpamClassifier
    {
        public IScoringModel? Current => model;
    }
}
