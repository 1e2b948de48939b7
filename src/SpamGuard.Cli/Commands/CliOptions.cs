using System.CommandLine;
using System.CommandLine.Parsing;
using SpamGuard.ML;

namespace SpamGuard.Cli.Commands;

/// <summary>Options several commands share, so they read the same everywhere.</summary>
internal static class CliOptions
{
    public static Option<FileInfo[]> Data(string description) => new("--data")
    {
        Description = description,
        Required = true,
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };

    public static Option<FileInfo?> Model() => new("--model")
    {
        Description = $"Model zip (its .json card beside it). Default: the model the server loads by default ({ModelOptions.BundledModelPath}).",
    };

    public static Option<bool> Json(string? description = null) => new("--json")
    {
        Description = description ?? "Print exactly one JSON object on stdout and nothing else.",
    };

    /// <summary>How long to wait for the server, in seconds; refused at parse time unless strictly between 0 and <paramref name="maxSeconds"/>.</summary>
    public static Option<double> Timeout(double defaultSeconds, double maxSeconds = 3600, string? description = null) =>
        new Option<double>("--timeout") { Description = description ?? "Seconds to wait for the server.", DefaultValueFactory = _ => defaultSeconds }
            .InRange(0.0, maxSeconds, exclusive: true);

    /// <summary>The environment variable <see cref="SiteKey"/> falls back to.</summary>
    public const string SiteKeyVariable = "SPAMGUARD_SITE_KEY";

    /// <summary>The site key for CommentFilter calls (needed once the server has site keys).</summary>
    public static Option<string?> SiteKey() => new("--key")
    {
        Description = $"The site key (default: the environment variable {SiteKeyVariable}); needed once the server has site keys.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(SiteKeyVariable),
    };

    /// <summary>"authorization: Bearer key" metadata, or none without a key.</summary>
    public static Grpc.Core.Metadata? SiteKeyMetadata(string? key) => string.IsNullOrWhiteSpace(key) ? null : Bearer(key);

    /// <summary>The metadata that carries a site or admin key.</summary>
    public static Grpc.Core.Metadata Bearer(string key) => new() { { "authorization", "Bearer " + key.Trim() } };

    /// <summary>A server address. System.CommandLine has no converter for <see cref="Uri"/>, so it is parsed here.</summary>
    public static Option<Uri> Server(string description, Uri? defaultValue) => new("--server")
    {
        Description = description,
        CustomParser = ParseServer,
        DefaultValueFactory = defaultValue is null ? null : _ => defaultValue,
    };

    public static Uri ParseServer(ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        result.AddError($"--server must be an absolute http:// or https:// address, not '{text}'.");
        return null!;
    }

    /// <summary>Refuses values outside [<paramref name="min"/>, <paramref name="max"/>] at parse time, naming the option.</summary>
    public static Option<T> InRange<T>(this Option<T> option, T min, T max, bool exclusive = false)
        where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<T>();
            var below = exclusive ? value.CompareTo(min) <= 0 : value.CompareTo(min) < 0;
            var above = exclusive ? value.CompareTo(max) >= 0 : value.CompareTo(max) > 0;
            // NaN compares below everything, so it is refused too.
            if (below || above || value is double.NaN or float.NaN)
            {
                var range = exclusive ? $"strictly between {min} and {max}" : $"between {min} and {max}";
                result.AddError($"must be {range}, not {value}.");
            }
        });
        return option;
    }

    public static string ResolveModelPath(FileInfo? model) =>
        model?.FullName ?? new ModelOptions().ResolvePath();
}
