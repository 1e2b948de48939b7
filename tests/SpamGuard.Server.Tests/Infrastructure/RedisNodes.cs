using System.Text;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Infrastructure;

/// <summary>What every server node of a Redis-mode test shares: the Redis, and the pseudonym secret (nodes with
/// different secrets would not find each other's pseudonyms).</summary>
internal static class RedisNodes
{
    public static readonly string Secret = Convert.ToBase64String(Encoding.UTF8.GetBytes("a shared secret for every test node!!"));

    /// <summary>Redis mode with the shared secret and a patient guard: tests of behaviour, not of the 50 ms guard, on
    /// loaded CI machines.</summary>
    public static string[] PatientArgs(RedisServerProcess redis) =>
    [
        $"--Redis:Configuration={redis.Endpoint}",
        $"--Privacy:PseudonymSecret={Secret}",
        "--Redis:Resilience:TimeoutMilliseconds=2000",
    ];
}
