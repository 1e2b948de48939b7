using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SpamGuard.Server.Admin;

/// <summary>Configuration section "Admin". Set the key in the environment (<c>Admin__Key</c>) or a secrets file.</summary>
internal sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>The admin key; admin calls are refused while it is unset.</summary>
    public string? Key { get; set; }
}

internal sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public const int MinimumKeyLength = 24;

    public ValidateOptionsResult Validate(string? name, AdminOptions options) =>
        options.Key is { } key && key.Trim().Length < MinimumKeyLength
            ? ValidateOptionsResult.Fail($"Admin:Key must have at least {MinimumKeyLength} characters (or be unset to refuse admin calls).")
            : ValidateOptionsResult.Success;
}

/// <summary>Checks a presented admin key in constant time (hashes of equal length are compared, whatever was sent).</summary>
internal sealed class AdminKeyVerifier(IOptions<AdminOptions> options)
{
    private readonly byte[]? _expected = options.Value.Key is { Length: > 0 } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim())) : null;

    public bool IsConfigured => _expected is not null;

    public bool Matches(string? presented) =>
        _expected is not null && presented is not null
        && CryptographicOperations.FixedTimeEquals(_expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
