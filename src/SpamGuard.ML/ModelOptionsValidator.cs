using System.Globalization;
using Microsoft.Extensions.Options;

namespace SpamGuard.ML;

/// <summary>Refuses a sync interval the timer cannot run (0 or less stopped the host after start) and an empty path.</summary>
internal sealed class ModelOptionsValidator : IValidateOptions<ModelOptions>
{
    public const double MinSyncSeconds = 1;
    public const double MaxSyncSeconds = 86_400;

    public ValidateOptionsResult Validate(string? name, ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            failures.Add("Model:Path must name the model zip (was empty).");
        }

        if (!(options.SyncSeconds >= MinSyncSeconds))
        {
            failures.Add($"Model:SyncSeconds must be at least {MinSyncSeconds} (was {Shown(options.SyncSeconds)}).");
        }
        else if (options.SyncSeconds > MaxSyncSeconds)
        {
            failures.Add($"Model:SyncSeconds must be at most {MaxSyncSeconds} (a day; was {Shown(options.SyncSeconds)}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Shown(double value) => value.ToString(CultureInfo.InvariantCulture);
}
