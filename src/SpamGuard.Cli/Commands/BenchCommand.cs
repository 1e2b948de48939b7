using System.CommandLine;
namespace SpamGuard.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create() => new("bench", "Benchmark scoring.");
}
