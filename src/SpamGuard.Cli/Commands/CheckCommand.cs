using System.CommandLine;
namespace SpamGuard.Cli.Commands;

internal static class CheckCommand
{
    public static Command Create() => new("check", "Score one comment against a running server.");
}
