using System.Security.Cryptography;

namespace SpamGuard.Core.Privacy;

/// <summary>Where the pseudonymisation secret comes from (configuration section "Privacy").</summary>
public sealed class PrivacyOptions
{
    public const string SectionName = "Privacy";

    /// <summary>The secret, base64, at least 32 bytes. Every node sharing a reputation store needs the same one.</summary>
    public string? PseudonymSecret { get; set; }

    /// <summary>
    /// Used when no secret is configured: read from this file, or generated into it on first start. Empty means
    /// pseudonym-secret.key under Feedback:DataDirectory. <value>Default empty.</value>
    /// </summary>
    public string PseudonymSecretFile { get; set; } = "";

    /// <summary>Who runs this service, as the privacy page names them.</summary>
    public string OperatorName { get; set; } = "the operator of this site";

    /// <summary>How commenters reach the operator (an e-mail address or a URL); empty when not configured.</summary>
    public string OperatorContact { get; set; } = "";

    /// <summary>The legal basis the privacy page states.</summary>
    public string LegalBasis { get; set; } =
        "Legitimate interest (GDPR Art. 6(1)(f)): keeping spam and abuse off the site, with personal data pseudonymised and kept only as long as stated here.";
}

/// <summary>Loads the configured secret, or the one persisted on an earlier start, or makes and persists one.</summary>
public static class PseudonymSecret
{
    /// <exception cref="PseudonymSecretException">The configured secret or the secret file is unusable.</exception>
    public static byte[] Load(PrivacyOptions options)
    {
        try
        {
            return LoadOrCreate(options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PseudonymSecretException(
                $"{options?.PseudonymSecretFile}: cannot read or create the pseudonymisation secret file: {ex.Message}", ex);
        }
    }

    private static byte[] LoadOrCreate(PrivacyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.PseudonymSecret))
        {
            return Decode(options.PseudonymSecret, "Privacy:PseudonymSecret");
        }

        var path = Path.GetFullPath(options.PseudonymSecretFile);
        if (File.Exists(path))
        {
            return Decode(File.ReadAllText(path), path);
        }

        var secret = RandomNumberGenerator.GetBytes(Pseudonymizer.MinimumSecretBytes);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // CreateNew: if another process won the race, its secret is the one to use.
        try
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, create);
            using var writer = new StreamWriter(stream);
            writer.Write(Convert.ToBase64String(secret));
        }
        catch (IOException) when (File.Exists(path))
        {
            return Decode(File.ReadAllText(path), path);
        }

        return secret;
    }

    private static byte[] Decode(string base64, string source)
    {
        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new PseudonymSecretException($"{source}: the pseudonymisation secret is not valid base64.");
        }

        return secret.Length >= Pseudonymizer.MinimumSecretBytes
            ? secret
            : throw new PseudonymSecretException(
                $"{source}: the pseudonymisation secret has {secret.Length} bytes; at least {Pseudonymizer.MinimumSecretBytes} are needed.");
    }
}

/// <summary>The pseudonymisation secret is unusable: an operator error the server reports at start-up.</summary>
public sealed class PseudonymSecretException : InvalidOperationException
{
    public PseudonymSecretException()
    {
    }

    public PseudonymSecretException(string message)
        : base(message)
    {
    }

    public PseudonymSecretException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
