using System.Globalization;
using SpamGuard.Core.Explanations;

namespace SpamGuard.Core.Reputation;

/// <summary>How much each kind of subject's report history may move a score (configuration "Reputation:Weights").</summary>
public sealed class ReputationWeights
{
    public double Ip { get; set; } = 1.0;
    public double Network { get; set; } = 0.5;
    public double Email { get; set; } = 1.0;
    public double AuthorHost { get; set; } = 1.0;
    public double LinkHost { get; set; } = 1.0;

    /// <summary>Per band of the content fingerprint; a near-copy of reported spam shares most of its 8 bands, so
    /// this is small per band.</summary>
    public double Content { get; set; } = 0.25;

    /// <summary>Largest shift, in log-odds, one subject can add either way.</summary>
    public double Cap { get; set; } = 4.0;

    public double For(SubjectKind kind) => kind switch
    {
        SubjectKind.Ip => Ip,
        SubjectKind.Network => Network,
        SubjectKind.Email => Email,
        SubjectKind.AuthorHost => AuthorHost,
        SubjectKind.LinkHost => LinkHost,
        SubjectKind.Content => Content,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>
/// Turns report counts into log-odds evidence. For a subject with s spam and h ham reports in the last 30 days the
/// evidence is the log Bayes factor of a Beta(1, 1) prior updated by them, log((s + 1) / (h + 1)): no reports, no
/// shift; 4 spam reports, +1.6; equal numbers, none. It is scaled by the subject kind's weight and capped, because
/// the weights are priors set by hand (no public corpus has report histories to fit them on) and one subject must
/// not decide a verdict alone.
/// </summary>
public static class ReputationEvidence
{
    public static IReadOnlyList<Signal> Signals(IReadOnlyList<SubjectReputation> reputations, ReputationWeights weights, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reputations);
        ArgumentNullException.ThrowIfNull(weights);
        var signals = new List<Signal>();
        // The bands of one fingerprint are one piece of evidence about one text: their weights add up (a closer copy
        // shares more bands) into a single signal, capped like any other subject.
        var contentWeight = 0.0;
        (long Spam, long Ham) contentCounts = (0, 0);
        foreach (var reputation in reputations)
        {
            var spam = reputation.Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days, now);
            var ham = reputation.Count(ReputationCounter.HamReports, ReputationWindow.Last30Days, now);
            if (spam == 0 && ham == 0)
            {
                continue;
            }

            var kind = reputation.Subject.Kind;
            var weight = weights.For(kind) * Math.Log((spam + 1.0) / (ham + 1.0));
            if (kind == SubjectKind.Content)
            {
                contentWeight += weight;
                if (spam + ham > contentCounts.Spam + contentCounts.Ham)
                {
                    contentCounts = (spam, ham);
                }

                continue;
            }

            weight = Math.Clamp(weight, -weights.Cap, weights.Cap);
            if (weight != 0)
            {
                signals.Add(new Signal(Name(kind), SignalKind.Reputation, weight, Evidence(kind, spam, ham)));
            }
        }

        contentWeight = Math.Clamp(contentWeight, -weights.Cap, weights.Cap);
        if (contentWeight != 0)
        {
            signals.Add(new Signal(Name(SubjectKind.Content), SignalKind.Reputation, contentWeight,
                Evidence(SubjectKind.Content, contentCounts.Spam, contentCounts.Ham)));
        }

        return signals;
    }

    private static string Name(SubjectKind kind) => kind switch
    {
        SubjectKind.Ip => "reputation.ip",
        SubjectKind.Network => "reputation.network",
        SubjectKind.Email => "reputation.email",
        SubjectKind.AuthorHost => "reputation.author_host",
        SubjectKind.Content => "reputation.content",
        _ => "reputation.link_host",
    };

    // Says what was reported without naming the subject: the explanation never carries the IP or address itself.
    private static string Evidence(SubjectKind kind, long spam, long ham)
    {
        var what = kind switch
        {
            SubjectKind.Ip => "this IP address",
            SubjectKind.Network => "this IP's network",
            SubjectKind.Email => "this e-mail address",
            SubjectKind.AuthorHost => "the author's website",
            SubjectKind.Content => "a near-copy of this text",
            _ => "a linked domain",
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"{what} was reported as spam {Times(spam)} and as ham {Times(ham)} in the last 30 days");
    }

    private static string Times(long n) => n == 1 ? "once" : string.Create(CultureInfo.InvariantCulture, $"{n} times");
}
