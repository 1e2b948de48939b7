using System.Globalization;
using System.Text;
using SpamGuard.Core.Features;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Explanations;

/// <summary>Writes the one-sentence summary a moderator reads, from the signals that pushed toward the verdict.</summary>
internal static class SummaryWriter
{
    private const int MaxReasons = 3;
    private const int MaxWords = 4;

    public static string Write(Verdict verdict, double probability, IReadOnlyList<Signal> signals)
    {
        var towardSpam = verdict != Verdict.Ham;
        var deciding = signals.Where(s => towardSpam ? s.Weight > 0 : s.Weight < 0).ToList();

        var head = verdict switch
        {
            Verdict.Discard => "Blatant spam",
            Verdict.Spam => "Spam",
            _ => "Ham",
        };
        // A calibrated probability is never a certainty, so the ends read "<1%" and ">99%", not "0%" and "100%".
        var percent = probability < 0.01 ? "<1"
            : probability > 0.99 ? ">99"
            : (probability * 100).ToString("0", CultureInfo.InvariantCulture);
        var sb = new StringBuilder().Append(head).Append(" (").Append(percent).Append("% spam probability)");

        var reasons = Reasons(deciding, towardSpam);
        if (reasons.Count == 0)
        {
            return sb.Append(towardSpam ? "." : ": nothing typical of spam.").ToString();
        }

        sb.Append(": ");
        for (var i = 0; i < reasons.Count; i++)
        {
            sb.Append(i == 0 ? "" : i == reasons.Count - 1 ? " and " : ", ").Append(reasons[i]);
        }

        return sb.Append('.').ToString();
    }

    private static List<string> Reasons(List<Signal> deciding, bool towardSpam)
    {
        var reasons = new List<Reason>();
        var words = deciding.Where(IsWording)
            .Select(s => s.Evidence.StartsWith('"') ? s.Evidence : $"\"{s.Evidence}\"").Distinct().Take(MaxWords).ToList();
        var hosts = deciding.Where(s => s.Name == "link.host").Select(s => s.Evidence).Distinct().Take(3).ToList();

        var wordsAdded = false;
        var hostsAdded = false;
        foreach (var signal in deciding)
        {
            switch (signal.Kind)
            {
                case SignalKind.Text when signal.Name.StartsWith("content.stat.", StringComparison.Ordinal):
                    // Toward ham a statistic is an absence ("little sign of numbers"): a moderator believes the
                    // evidence that is there, so absences are named only when nothing present decided the verdict.
                    reasons.Add(new Reason(StatisticReason(signal, towardSpam), towardSpam ? ReasonKind.InText : ReasonKind.Absence));
                    break;
                case SignalKind.Text when IsWording(signal):
                    if (wordsAdded)
                    {
                        break;
                    }

                    wordsAdded = true;
                    reasons.Add(new Reason(
                        (towardSpam ? "wording typical of spam such as " : "ordinary wording such as ") + string.Join(", ", words),
                        ReasonKind.InText));
                    break;
                // A cue's evidence is already a phrase ("prize or winning words"). It is named only toward spam: a
                // cue that a model weighs toward ham is no reason a moderator would recognise for a ham verdict.
                case SignalKind.Text when signal.Name == "content.cue" && towardSpam:
                    reasons.Add(new Reason(signal.Evidence, ReasonKind.InText));
                    break;
                case SignalKind.Link when signal.Name == "link.host" && !hostsAdded:
                    hostsAdded = true;
                    reasons.Add(new Reason((towardSpam ? "links to " : "links to familiar sites ") + string.Join(", ", hosts), ReasonKind.InText));
                    break;
                case SignalKind.Link when signal.Name is "link.count" or "link.present":
                    reasons.Add(new Reason(signal.Evidence, ReasonKind.InText));
                    break;
                case SignalKind.Author:
                    reasons.Add(new Reason("author details (" + signal.Evidence + ")", ReasonKind.InText));
                    break;
                case SignalKind.Rule or SignalKind.Behaviour or SignalKind.Reputation:
                    reasons.Add(new Reason(signal.Evidence, ReasonKind.Outside));
                    break;
            }
        }

        var present = reasons.Where(r => r.Kind != ReasonKind.Absence).ToList();
        var candidates = (present.Count > 0 ? present : reasons).DistinctBy(r => r.Text).ToList();
        if (candidates.Count <= MaxReasons)
        {
            return candidates.ConvertAll(r => r.Text);
        }

        // Reputation, rules and behaviour are not in the text, and a moderator cannot see them by reading the
        // comment: when they pushed toward the verdict they keep their place in the sentence, even behind several
        // stronger words. The rest fill the remaining places, strongest first, in the signals' order.
        var outside = candidates.Where(r => r.Kind == ReasonKind.Outside).Take(MaxReasons).ToHashSet();
        var kept = new HashSet<Reason>(outside);
        foreach (var reason in candidates)
        {
            if (kept.Count == MaxReasons)
            {
                break;
            }

            kept.Add(reason);
        }

        return candidates.Where(kept.Contains).Select(r => r.Text).ToList();
    }

    private enum ReasonKind
    {
        InText,
        Absence,
        Outside,
    }

    private sealed record Reason(string Text, ReasonKind Kind);

    /// <summary>Words, phrases and the words character n-grams came from: all read as "wording".</summary>
    private static bool IsWording(Signal signal) => signal.Name is "content.word" or "content.phrase" or "content.chars";

    private static string StatisticReason(Signal signal, bool towardSpam)
    {
        var key = signal.Name["content.stat.".Length..];
        var description = TextStatistics.Descriptions.GetValueOrDefault(key, key);
        return (towardSpam ? "" : "little sign of ") + description + " (" + signal.Evidence + ")";
    }
}
