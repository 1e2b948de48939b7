namespace SpamGuard.ML;

/// <summary>Which model the service loads. Section <c>Model</c>.</summary>
public sealed class ModelOptions
{
    public const string SectionName = "Model";

    /// <summary>Default bundled model, relative to the application's base directory.</summary>
    public const string BundledModelPath = "models/spamguard-1.1.0.zip";

    /// <summary>Path of the model zip; its card (same name, .json) must be beside it. Relative paths are resolved
    /// against the current directory first, then the application's base directory.</summary>
    /// <value>Default <see cref="BundledModelPath"/>.</value>
    public string Path { get; set; } = BundledModelPath;

    /// <summary>How often a node checks the registry's active version, in addition to the activation signal.</summary>
    /// <value>Default 5 seconds.</value>
    public double SyncSeconds { get; set; } = 5;

    /// <summary>Resolves <see cref="Path"/> to an existing file where possible.</summary>
    public string ResolvePath()
    {
        if (System.IO.Path.IsPathRooted(Path))
        {
            return Path;
        }

        var fromCurrent = System.IO.Path.GetFullPath(Path);
        if (File.Exists(fromCurrent))
        {
            return fromCurrent;
        }

        var fromBase = System.IO.Path.Combine(AppContext.BaseDirectory, Path);
        return File.Exists(fromBase) ? fromBase : fromCurrent;
    }
}
