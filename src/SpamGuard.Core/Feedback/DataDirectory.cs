using Microsoft.Extensions.Options;
using SpamGuard.Core.Privacy;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// The one root of the server's local state. The default does not depend on the working directory or on how the
/// server was started (<c>dotnet run</c>, the published dll, a service manager), so every way of starting it finds the
/// same pseudonymisation secret, site keys and models.
/// </summary>
public static class DataDirectory
{
    /// <summary>Name of the secret file under the root when <c>Privacy:PseudonymSecretFile</c> is not set.</summary>
    public const string PseudonymSecretFileName = "pseudonym-secret.key";

    /// <summary>
    /// <c>$XDG_DATA_HOME/spamguard</c>, else <c>~/.local/share/spamguard</c> (<c>%LOCALAPPDATA%\spamguard</c> on
    /// Windows); empty when the account has no home directory, and the options validator then asks for a setting.
    /// </summary>
    public static string Default { get; } = DefaultRoot();

    private static string DefaultRoot()
    {
        var userData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return string.IsNullOrEmpty(userData) ? "" : Path.Combine(userData, "spamguard");
    }
}

/// <summary>A relative <c>Feedback:DataDirectory</c> is made absolute once, at start, so every store sees the same path.</summary>
internal sealed class DataDirectoryAbsolute : IPostConfigureOptions<FeedbackOptions>
{
    public void PostConfigure(string? name, FeedbackOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            options.DataDirectory = Path.GetFullPath(options.DataDirectory);
        }
    }
}

/// <summary>The secret file follows the data root unless <c>Privacy:PseudonymSecretFile</c> is set on its own.</summary>
internal sealed class PseudonymSecretFileUnderDataDirectory(IOptions<FeedbackOptions> feedback) : IPostConfigureOptions<PrivacyOptions>
{
    public void PostConfigure(string? name, PrivacyOptions options)
    {
        var root = feedback.Value.DataDirectory;
        if (string.IsNullOrWhiteSpace(options.PseudonymSecretFile) && !string.IsNullOrWhiteSpace(root))
        {
            options.PseudonymSecretFile = Path.Combine(root, DataDirectory.PseudonymSecretFileName);
        }
    }
}
