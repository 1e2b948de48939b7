namespace SpamGuard.Core.Reputation;

/// <summary>
/// The reports of one subject that count for one reading site, and those withheld. Spam and ham are counted as the
/// reading site's own reports plus one per other site.
/// </summary>
/// <param name="OwnSpam">The reading site's own spam reports in the last 30 days.</param>
/// <param name="OtherSpamSites">Other sites whose spam reports count.</param>
/// <param name="WithheldSpamSites">Other sites whose spam reports do not count: too few independent sites agree.</param>
public readonly record struct CountedReports(
    long OwnSpam, long OwnHam, int OtherSpamSites, int OtherHamSites, int WithheldSpamSites, int WithheldHamSites)
{
    public long Spam => OwnSpam + OtherSpamSites;

    public long Ham => OwnHam + OtherHamSites;
}

/// <summary>
/// Whose reports move whose verdicts. A site's own reports move its own verdicts at once. Other sites' reports of a
/// label move them only when at least <see cref="ReputationOptions.MinIndependentReporters"/> distinct sites
/// (counting the reading site if it reported the same) reported that label in the last 30 days, or when the reporter
/// is one of <see cref="ReputationOptions.TrustedReporters"/>. Another site counts once however many reports it sent,
/// so a site flooding reports for a spammer moves only its own verdicts, and a handful of accomplices move others'
/// by a handful. Trust is read at check time: changing the list changes how past reports count.
/// </summary>
public sealed class ReportAgreement
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);
    private readonly HashSet<string> _trusted;

    public ReportAgreement(int minIndependentReporters, IEnumerable<string> trustedSites)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minIndependentReporters, 1);
        ArgumentNullException.ThrowIfNull(trustedSites);
        MinIndependentReporters = minIndependentReporters;
        _trusted = new HashSet<string>(trustedSites.Select(ReportingSites.Id), StringComparer.Ordinal);
    }

    public int MinIndependentReporters { get; }

    /// <summary>Every report counts, from anyone (the behaviour before reports were kept per site).</summary>
    public static ReportAgreement Everyone { get; } = new(1, []);

    public CountedReports Count(SubjectReputation reputation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reputation);
        var ownSpam = reputation.Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days);
        var ownHam = reputation.Count(ReputationCounter.HamReports, ReputationWindow.Last30Days);
        var (spam, withheldSpam) = Others(reputation.OtherSites, ReportLabel.Spam, ownSpam > 0, now);
        var (ham, withheldHam) = Others(reputation.OtherSites, ReportLabel.Ham, ownHam > 0, now);
        return new CountedReports(ownSpam, ownHam, spam, ham, withheldSpam, withheldHam);
    }

    private (int Counted, int Withheld) Others(IReadOnlyList<SiteReport> others, ReportLabel label, bool readerAgrees, DateTimeOffset now)
    {
        int reporters = 0, trusted = 0;
        foreach (var other in others)
        {
            if (other.Label == label && other.At > now - Window)
            {
                reporters++;
                trusted += _trusted.Contains(other.Reporter) ? 1 : 0;
            }
        }

        return reporters + (readerAgrees ? 1 : 0) >= MinIndependentReporters ? (reporters, 0) : (trusted, reporters - trusted);
    }
}
