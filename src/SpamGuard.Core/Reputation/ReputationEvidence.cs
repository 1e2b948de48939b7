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
/// not decide a verdict alone. Which reports count is <see cref="ReportAgreement"/>'s rule: the checking site's own,
/// and other sites' (one per site) only when enough of them agree or they are trusted. Reports withheld by that rule
/// are named in the evidence, with a zero-weight signal when nothing else was counted.
/// </summary>
public static class ReputationEvidence
{
    public static IReadOnlyList<Signal> Signals(IReadOnlyList<SubjectReputation> reputations, ReputationOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reputations);
        ArgumentNullException.ThrowIfNull(options);
        var weights = options.Weights;
        var agreement = options.Agreement;
        var signals = new List<Signal>();
        // The bands of one fingerprint are one piece of evidence about one text: their weights add up (a closer copy
        // shares more bands) into a single signal, capped like any other subject.
        var contentWeight = 0.0;
        CountedReports? content = null;
        foreach (var reputation in reputations)
        {
            var counted = agreement.Count(reputation, now);
            if (counted.Spam == 0 && counted.Ham == 0 && counted.WithheldSpamSites == 0 && counted.WithheldHamSites == 0)
            {
                continue;
            }

            var kind = reputation.Subject.Kind;
            var weight = weights.For(kind) * Math.Log((counted.Spam + 1.0) / (counted.Ham + 1.0));
            if (kind == SubjectKind.Content)
            {
                contentWeight += weight;
                if (content is not { } best || Size(counted) > Size(best))
                {
                    content = counted;
                }

                continue;
            }

            weight = Math.Clamp(weight, -weights.Cap, weights.Cap);
            if (weight != 0 || Withheld(counted))
            {
                signals.Add(new Signal(Name(kind), SignalKind.Reputation, weight, Evidence(kind, counted, agreement.MinIndependentReporters)));
            }
        }

        contentWeight = Math.Clamp(contentWeight, -weights.Cap, weights.Cap);
        if (content is { } contentCounts && (contentWeight != 0 || Withheld(contentCounts)))
        {
            signals.Add(new Signal(Name(SubjectKind.Content), SignalKind.Reputation, contentWeight,
                Evidence(SubjectKind.Content, contentCounts, agreement.MinIndependentReporters)));
        }

        return signals;
    }

    private static long Size(CountedReports c) => c.Spam + c.Ham + c.WithheldSpamSites + c.WithheldHamSites;

    private static bool Withheld(CountedReports c) => c.WithheldSpamSites + c.WithheldHamSites > 0;

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
    private static string Evidence(SubjectKind kind, CountedReports counted, int minIndependentReporters)
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
        var text = counted.Spam + counted.Ham > 0
            ? string.Create(CultureInfo.InvariantCulture,
                $"{what} was reported as spam {Times(counted.Spam)} and as ham {Times(counted.Ham)} in the last 30 days")
            : what + " has reports that were not counted";
        if (counted.OtherSpamSites + counted.OtherHamSites > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture,
                $" (counting each other site once: {Sites(counted.OtherSpamSites)} for spam, {Sites(counted.OtherHamSites)} for ham)");
        }

        foreach (var (label, sites) in new[] { ("spam", counted.WithheldSpamSites), ("ham", counted.WithheldHamSites) })
        {
            if (sites > 0)
            {
                text += string.Create(CultureInfo.InvariantCulture,
                    $"; {label} reports from {Sites(sites)} were not counted: fewer than {minIndependentReporters} independent sites agree");
            }
        }

        return text;
    }

    private static string Times(long n) => n == 1 ? "once" : string.Create(CultureInfo.InvariantCulture, $"{n} times");

    private static string Sites(int n) => n == 1 ? "1 other site" : string.Create(CultureInfo.InvariantCulture, $"{n} other sites");
}
