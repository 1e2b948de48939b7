using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Server.Tests.TestDoubles;

/// <summary>
/// TEST DOUBLE, not the real model: a fixed word list with hand-set log-odds, so edge tests (validation, mapping,
/// health, error mapping) get predictable verdicts without ML.NET. Real-model end-to-end tests belong elsewhere.
/// </summary>
internal sealed class KeywordTestModel : IScoringModel
{
    public const string TestVersion = "keyword-test-double-1";
    public const double Bias = -1.0;

    private static readonly Dictionary<string, double> Weights = new(StringComparer.Ordinal)
    {
        ["viagra"] = 3.0,
        ["casino"] = 3.0,
        ["pills"] = 2.0,
        ["cheap"] = 1.5,
        ["thanks"] = -2.0,
        ["article"] = -1.5,
        ["great"] = -1.0,
        ["interesting"] = -1.0,
    };

    public string Version => TestVersion;

    /// <summary>0.5 and 0.99, so "cheap pills" (p≈0.92) is SPAM and a pile of spam words is DISCARD.</summary>
    public Thresholds Thresholds { get; } = new(0.5, 0.99);

    public ModelScore Score(CommentFeatures features, int maxContributions)
    {
        var contributions = new List<Signal>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in features.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var word = token.Trim('.', ',', '!', '?', ':', ';', '"', '\'').ToLowerInvariant();
            if (Weights.TryGetValue(word, out var weight) && seen.Add(word))
            {
                contributions.Add(new Signal("content.word", SignalKind.Text, weight, word));
            }
        }

        var links = features.LinkHosts.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (links > 0)
        {
            contributions.Add(new Signal("link.count", SignalKind.Link, 0.5 * Math.Log(1 + links), $"{links} links"));
        }

        var logit = Bias + contributions.Sum(c => c.Weight);
        contributions.Sort(static (a, b) => Math.Abs(b.Weight).CompareTo(Math.Abs(a.Weight)));
        return new ModelScore(logit, Bias, contributions.Take(maxContributions).ToList());
    }
}

/// <summary>TEST DOUBLE: a model whose scoring always fails, to prove unexpected errors become INTERNAL without details.</summary>
internal sealed class ThrowingTestModel : IScoringModel
{
    public const string SecretDetail = "secret-internal-detail-42";

    public string Version => "throwing-test-double";

    public Thresholds Thresholds { get; } = new(0.5, 0.99);

    public ModelScore Score(CommentFeatures features, int maxContributions) =>
        throw new InvalidOperationException(SecretDetail);
}

/// <summary>TEST DOUBLE for <see cref="ISpamClassifier"/> whose model a test sets, to drive the "loading → loaded" path.</summary>
internal sealed class SettableSpamClassifier : ISpamClassifier
{
    private IScoringModel? _current;

    public IScoringModel? Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }
}
