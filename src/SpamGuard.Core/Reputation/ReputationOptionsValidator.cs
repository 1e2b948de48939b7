using System.Globalization;
using Microsoft.Extensions.Options;

namespace SpamGuard.Core.Reputation;

/// <summary>
/// Refuses weights that would break or invert reputation at start, rather than on every check: a negative cap makes
/// the clamp throw, a negative weight would count spam reports as ham.
/// </summary>
internal sealed class ReputationOptionsValidator : IValidateOptions<ReputationOptions>
{
    public const double MaxWeight = 10;
    public const double MaxCap = 20;

    public ValidateOptionsResult Validate(string? name, ReputationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var weights = options.Weights;
        if (weights is null)
        {
            return ValidateOptionsResult.Fail("Reputation:Weights must be set.");
        }

        var failures = new List<string>();
        foreach (var (key, value) in new[]
                 {
                     (nameof(ReputationWeights.Ip), weights.Ip),
                     (nameof(ReputationWeights.Network), weights.Network),
                     (nameof(ReputationWeights.Email), weights.Email),
                     (nameof(ReputationWeights.AuthorHost), weights.AuthorHost),
                     (nameof(ReputationWeights.LinkHost), weights.LinkHost),
                     (nameof(ReputationWeights.Content), weights.Content),
                 })
        {
            // Written as "not inside" so NaN, which fails every comparison, is refused too.
            if (!(value >= 0 && value <= MaxWeight))
            {
                failures.Add($"Reputation:Weights:{key} must be between 0 and {MaxWeight} (was {Shown(value)}).");
            }
        }

        if (!(weights.Cap > 0 && weights.Cap <= MaxCap))
        {
            failures.Add($"Reputation:Weights:Cap must be above 0 and at most {MaxCap} log-odds (was {Shown(weights.Cap)}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Shown(double value) => value.ToString(CultureInfo.InvariantCulture);
}
