using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using SpamGuard.Contracts.V1;

namespace SpamGuard.FaultLab;

/// <summary>
/// Key A (a spammer who got a site key) floods SubmitHam for its own spam: variants of one comment from one IP, e-mail
/// and link host, checked on site A and reported as ham by check id and by full comment. Site B checks each spammer's
/// comment before any flood and again after all of them: its verdict must not move. A verdict that leaves spam, or a
/// spam probability that falls by more than <see cref="Tolerance"/>, is counted as poisoned.
/// </summary>
internal sealed class PoisoningFlood(LabClient client, LabSite attacker, LabSite victim, LabCounters counters)
{
    public const double Tolerance = 0.05;
    private const int ReportsPerSpammer = 60;

    private static readonly string[] Texts =
    [
        "Buy cheap viagra and cialis now, lowest prices, no prescription needed",
        "Congratulations WINNER, claim your free prize now, call today to collect your cash award",
        "Make money fast working from home, earn thousands weekly, guaranteed income click here",
        "Online casino mega bonus, free spins and jackpot, deposit now and win big tonight",
    ];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var before = new CheckCommentResponse?[Texts.Length];
        for (var spammer = 0; spammer < Texts.Length; spammer++)
        {
            before[spammer] = await CheckAsync(victim, Comment(victim.Url, spammer, 0), cancellationToken);
        }

        for (var spammer = 0; spammer < Texts.Length; spammer++)
        {
            if (before[spammer] is not { Verdict: not Verdict.Ham })
            {
                counters.Add("poison_skipped");
                counters.Note($"spammer {spammer}: site B's first verdict was {before[spammer]?.Verdict.ToString() ?? "an error"}, nothing to poison");
                continue;
            }

            await FloodAsync(spammer, cancellationToken);
        }

        // Let any asynchronous application of the reports land before site B looks again.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        for (var spammer = 0; spammer < Texts.Length; spammer++)
        {
            if (before[spammer] is not { Verdict: not Verdict.Ham } first
                || await CheckAsync(victim, Comment(victim.Url, spammer, 0), cancellationToken) is not { } after)
            {
                continue;
            }

            var poisoned = after.Verdict == Verdict.Ham || first.SpamProbability - after.SpamProbability > Tolerance;
            counters.Add(poisoned ? "poisoned" : "poison_resisted");
            counters.Note(string.Create(CultureInfo.InvariantCulture,
                $"spammer {spammer}: site B saw {first.Verdict} {first.SpamProbability:F3} before, {after.Verdict} {after.SpamProbability:F3} after {ReportsPerSpammer} ham reports by key A"));
        }
    }

    private async Task FloodAsync(int spammer, CancellationToken cancellationToken)
    {
        for (var variant = 1; variant <= ReportsPerSpammer; variant++)
        {
            var comment = Comment(attacker.Url, spammer, variant);
            SubmitFeedbackRequest report;
            if (variant % 4 == 0)
            {
                report = new SubmitFeedbackRequest { Site = attacker.Url, Comment = comment };
            }
            else if (await CheckAsync(attacker, comment, cancellationToken) is { } check)
            {
                report = new SubmitFeedbackRequest { Site = attacker.Url, CheckId = check.CheckId };
            }
            else
            {
                continue;
            }

            var result = await client.CallAsync("flood", o => client.Filter.SubmitHamAsync(report, o), LabClient.Bearer(attacker.Key), TimeSpan.FromSeconds(10), cancellationToken);
            counters.Add(result.Ok ? "flood_reports_accepted" : "flood_reports_refused");
        }
    }

    private async Task<CheckCommentResponse?> CheckAsync(LabSite site, CheckCommentRequest request, CancellationToken cancellationToken)
    {
        var result = await client.CallAsync("flood_check", o => client.Filter.CheckCommentAsync(request, o), LabClient.Bearer(site.Key), TimeSpan.FromSeconds(10), cancellationToken);
        return result.Value;
    }

    /// <summary>Spammer n's comment: one IP, e-mail, link host and text per spammer, unlike the load's.</summary>
    private static CheckCommentRequest Comment(string site, int spammer, int variant) => new()
    {
        Site = site,
        UserIp = $"203.0.113.{(spammer * 10) + 10}",
        UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
        CommentType = CommentType.Comment,
        Author = "Best Deals " + spammer,
        AuthorEmail = $"deals{spammer}@offers-{spammer}.example",
        AuthorUrl = $"https://offers-{spammer}.example/",
        Content = $"{Texts[spammer]} https://offers-{spammer}.example/go" + (variant == 0 ? "" : $"?v={variant}"),
        CommentDate = Timestamp.FromDateTime(DateTime.UtcNow),
    };
}
