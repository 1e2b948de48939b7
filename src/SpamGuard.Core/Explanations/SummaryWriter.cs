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
        var reasons = new List<string>();
        var words = deciding.Where(IsWording)
            .Select(s => s.Evidence.StartsWith('"') ? s.Evidence : $"\"{s.Evidence}\"").Distinct().Take(MaxWords).ToList();
        var hosts = deciding.Where(s => s.Name == "link.host").Select(s => s.Evidence).Distinct().Take(3).ToList();

        var wordsAdded = false;
        var hostsAdded = false;
        foreach (var signal in deciding)
        {
            if (reasons.Count == MaxReasons)
            {
                break;
            }

            switch (signal.Kind)
            {
                case SignalKind.Text when signal.Name.StartsWith("content.stat.", StringComparison.Ordinal):
                    reasons.Add(StatisticReason(signal, towardSpam));
                    break;
                case SignalKind.Text when IsWording(signal):
                    if (wordsAdded)
                    {
                        break;
                    }

                    wordsAdded = true;
                    reasons.Add((towardSpam ? "wording typical of spam such as " : "ordinary wording such as ")
                                + string.Join(", ", words));
                    break;
                // A cue's evidence is already a phrase ("prize or winning words"). It is named only toward spam: a
                // cue that a model weighs toward ham is no reason a moderator would recognise for a ham verdict.
                case SignalKind.Text when signal.Name == "content.cue" && towardSpam:
                    reasons.Add(signal.Evidence);
                    break;
                case SignalKind.Link when signal.Name == "link.host" && !hostsAdded:
                    hostsAdded = true;
                    reasons.Add((towardSpam ? "links to " : "links to familiar sites ") + string.Join(", ", hosts));
                    break;
                case SignalKind.Link when signal.Name is "link.count" or "link.present":
                    reasons.Add(signal.Evidence);
                    break;
                case SignalKind.Author:
                    reasons.Add("author details (" + signal.Evidence + ")");
                    break;
                case SignalKind.Rule or SignalKind.Behaviour or SignalKind.Reputation:
                    reasons.Add(signal.Evidence);
                    break;
            }
        }

        return reasons.Distinct().ToList();
    }

    /// <summary>Words, phrases and the words character n-grams came from: all read as "wording".</summary>
    private static bool IsWording(Signal signal) => signal.Name is "content.word" or "content.phrase" or "content.chars";

    private static string StatisticReason(Signal signal, bool towardSpam)
    {
        var key = signal.Name["content.stat.".Length..];
        var description = TextStatistics.Descriptions.GetValueOrDefault(key, key);
        return (towardSpam ? "" : "little sign of ") + description + " (" + signal.Evidence + ")";
    }
}
