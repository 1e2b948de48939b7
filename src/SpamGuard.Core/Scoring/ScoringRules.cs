using System.Globalization;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Explanations;

namespace SpamGuard.Core.Scoring;

/// <summary>
/// Evidence the model cannot learn from public corpora (honeypots, form timing, Akismet's role semantics),
/// added on the same log-odds scale as the model's contributions.
/// </summary>
internal static class ScoringRules
{
    public const string AdministratorRule = "rule.administrator";

    public const string TestSpamRule = "rule.test_spam";

    /// <summary>Akismet's documented test triggers for a spam answer; clients' test suites rely on them.</summary>
    public const string TestSpamAuthor = "viagra-test-123";

    public const string TestSpamEmail = "akismet-guaranteed-spam@example.com";

    public static void Evaluate(Comment comment, RuleWeights weights, List<Signal> signals)
    {
        if (comment.Honeypot is { IsFilled: true } honeypot)
        {
            signals.Add(new Signal("rule.honeypot", SignalKind.Rule, weights.HoneypotFilled,
                $"hidden field '{Truncate(honeypot.FieldName, 64)}' was filled in"));
        }

        if (comment.ClientSignals.TimeToSubmit is { } elapsed
            && elapsed.TotalMilliseconds < weights.MinHumanSubmitMilliseconds)
        {
            signals.Add(new Signal("behaviour.submit_time", SignalKind.Behaviour, weights.SubmittedTooFast,
                string.Create(CultureInfo.InvariantCulture, $"submitted {elapsed.TotalMilliseconds:0} ms after the page loaded")));
        }

        if (comment.ClientSignals.JavaScriptRan == false)
        {
            signals.Add(new Signal("behaviour.javascript", SignalKind.Behaviour, weights.JavaScriptDidNotRun,
                "the form's JavaScript did not run"));
        }

        if (string.Equals(comment.Author, TestSpamAuthor, StringComparison.OrdinalIgnoreCase)
            || string.Equals(comment.AuthorEmail, TestSpamEmail, StringComparison.OrdinalIgnoreCase))
        {
            signals.Add(new Signal(TestSpamRule, SignalKind.Rule, weights.TestSpam,
                "Akismet's test trigger for a spam answer (author viagra-test-123 or akismet-guaranteed-spam@example.com)"));
        }

        if (string.Equals(comment.UserRole, "administrator", StringComparison.OrdinalIgnoreCase))
        {
            signals.Add(new Signal(AdministratorRule, SignalKind.Rule, weights.AdministratorRole,
                "posted by a site administrator"));
        }
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
