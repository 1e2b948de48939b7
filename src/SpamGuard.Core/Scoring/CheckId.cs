using System.Security.Cryptography;

namespace SpamGuard.Core.Scoring;

/// <summary>Check ids are 128 random bits from the OS CSPRNG, so knowing one id says nothing about another.</summary>
public static class CheckId
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsWellFormed(string? id) =>
        id is { Length: 32 } && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
