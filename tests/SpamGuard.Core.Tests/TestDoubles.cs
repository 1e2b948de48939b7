using SpamGuard.Core.Comments;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Tests;

/// <summary>A model that ignores the comment and returns a fixed logit, contributions and thresholds.</summary>
internal sealed class FixedContributionModel(
    string version,
    Thresholds thresholds,
    double logit,
    double baseLogit = 0,
    params Signal[] contributions) : IScoringModel
{
    public string Version => version;

    public Thresholds Thresholds => thresholds;

    public int ScoreCalls { get; private set; }

    public int? LastMaxContributions { get; private set; }

    public CommentFeatures? LastFeatures { get; private set; }

    public ModelScore Score(CommentFeatures features, int maxContributions)
    {
        ScoreCalls++;
        LastFeatures = features;
        LastMaxContributions = maxContributions;
        return new ModelScore(logit, baseLogit, contributions);
    }
}

/// <summary>Always hands out the same model (or none).</summary>
internal sealed class FixedClassifier(IScoringModel? model) : ISpamClassifier
{
    public IScoringModel? Current => model;
}

/// <summary>Returns <c>first</c> on the first read of <see cref="Current"/> and <c>later</c> on every read after it,
/// like a hot swap landing in the middle of a check.</summary>
internal sealed class SwappingClassifier(IScoringModel first, IScoringModel later) : ISpamClassifier
{
    public int Reads { get; private set; }

    public IScoringModel? Current => Reads++ == 0 ? first : later;
}

internal static class TestComments
{
    public static readonly Uri Site = new("https://blog.example/");

    public static Comment With(string content = "Nice post, thanks.") => new() { Site = Site, Content = content };
}
