using System.CommandLine;
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

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print exactly one JSON object on stdout and nothing else.",
    };

    public static string ResolveModelPath(FileInfo? model) =>
        model?.FullName ?? new ModelOptions().ResolvePath();
}
