using Microsoft.Extensions.Options;

namespace SpamGuard.Core.Scoring;

/// <summary>How comments are scored. Section <c>Scoring</c>.</summary>
public sealed class ScoringOptions
{
    public const string SectionName = "Scoring";

    /// <summary>Largest accepted content, in UTF-8 bytes.</summary>
    /// <value>Default 65,536 (64 KiB).</value>
    public int MaxContentBytes { get; set; } = 64 * 1024;

    /// <summary>Largest accepted value of any other text field, in UTF-8 bytes.</summary>
    /// <value>Default 4,096.</value>
    public int MaxFieldBytes { get; set; } = 4096;

    /// <summary>How many signals an explanation lists at most.</summary>
    /// <value>Default 10.</value>
    public int MaxSignals { get; set; } = 10;

    /// <summary>Overrides the model's spam threshold (probability). Null: use the model card's.</summary>
    public double? SpamThreshold { get; set; }

    /// <summary>Overrides the model's discard threshold (probability). Null: use the model card's.</summary>
    public double? DiscardThreshold { get; set; }

    /// <summary>Hand-set log-odds of the rules, which fire on signals the training corpora do not carry.</summary>
    public RuleWeights Rules { get; set; } = new();
}

/// <summary>
/// Log-odds added by each rule. They are priors set by hand, not learned: no public corpus has honeypots or
/// form timings. Each is documented in the README next to its default.
/// </summary>
public sealed class RuleWeights
{
    /// <summary>A filled honeypot field. <value>Default 8.0 (alone, it makes almost anything blatant spam).</value></summary>
    public double HoneypotFilled { get; set; } = 8.0;

    /// <summary>Submitted faster than <see cref="MinHumanSubmitMilliseconds"/>. <value>Default 2.5.</value></summary>
    public double SubmittedTooFast { get; set; } = 2.5;

    /// <summary>Below this time from page load to submit, a person could not have typed the comment.
    /// <value>Default 3,000 ms.</value></summary>
    public int MinHumanSubmitMilliseconds { get; set; } = 3000;

    /// <summary>The form's JavaScript did not run. <value>Default 1.0.</value></summary>
    public double JavaScriptDidNotRun { get; set; } = 1.0;

    /// <summary>Comments by a site administrator are always ham, as in Akismet. <value>Default -30.0.</value></summary>
    public double AdministratorRole { get; set; } = -30.0;

    /// <summary>Akismet's test triggers (author "viagra-test-123", e-mail "akismet-guaranteed-spam@example.com"): the
    /// verdict is spam (never discard), as Akismet answers them. <value>Default 30.0.</value></summary>
    public double TestSpam { get; set; } = 30.0;
}

internal sealed class ScoringOptionsValidator : IValidateOptions<ScoringOptions>
{
    public ValidateOptionsResult Validate(string? name, ScoringOptions options)
    {
        var failures = new List<string>();
        if (options.MaxContentBytes is < 1 or > 16 * 1024 * 1024)
        {
            failures.Add("Scoring:MaxContentBytes must be between 1 and 16 MiB.");
        }

        if (options.MaxFieldBytes is < 64 or > 1024 * 1024)
        {
            failures.Add("Scoring:MaxFieldBytes must be between 64 bytes and 1 MiB.");
        }

        if (options.MaxSignals is < 1 or > 100)
        {
            failures.Add("Scoring:MaxSignals must be between 1 and 100.");
        }

        // Written as "not inside" so NaN, which fails every comparison, is rejected too.
        if (options.SpamThreshold is { } spam && !(spam > 0 && spam < 1))
        {
            failures.Add("Scoring:SpamThreshold must be strictly between 0 and 1.");
        }

        if (options.DiscardThreshold is { } discard && !(discard > 0 && discard <= 1))
        {
            failures.Add("Scoring:DiscardThreshold must be in (0, 1].");
        }

        if (options.SpamThreshold is { } s && options.DiscardThreshold is { } d && d <= s)
        {
            failures.Add("Scoring:DiscardThreshold must be above Scoring:SpamThreshold.");
        }

        if (options.Rules.MinHumanSubmitMilliseconds < 0)
        {
            failures.Add("Scoring:Rules:MinHumanSubmitMilliseconds must not be negative.");
        }

        foreach (var (key, weight) in new[]
                 {
                     ("HoneypotFilled", options.Rules.HoneypotFilled),
                     ("SubmittedTooFast", options.Rules.SubmittedTooFast),
                     ("JavaScriptDidNotRun", options.Rules.JavaScriptDidNotRun),
                     ("AdministratorRole", options.Rules.AdministratorRole),
                     ("TestSpam", options.Rules.TestSpam),
                 })
        {
            if (!double.IsFinite(weight) || Math.Abs(weight) > 100)
            {
                failures.Add($"Scoring:Rules:{key} must be a finite log-odds weight between -100 and 100.");
            }
        }

        if (options.Rules.AdministratorRole >= 0)
        {
            failures.Add("Scoring:Rules:AdministratorRole must be negative: it marks comments by administrators as ham.");
        }

        if (options.Rules.TestSpam <= 0)
        {
            failures.Add("Scoring:Rules:TestSpam must be positive: it marks Akismet's test triggers as spam.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
