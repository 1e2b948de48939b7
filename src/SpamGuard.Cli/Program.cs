using System.CommandLine;
using System.CommandLine.Parsing;
using SpamGuard.Cli.Commands;

var root = new RootCommand("spamguard: train, evaluate and benchmark SpamGuard models, and check comments against a server.");
root.Subcommands.Add(TrainCommand.Create(args));
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(AdminCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(BenchCommand.Create());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // A malformed command line is bad input like a malformed file: same exit code, errors on stderr.
    foreach (var error in parsed.Errors)
    {
        var option = error.SymbolResult switch
        {
            OptionResult o => o.Option.Name,
            ArgumentResult { Parent: OptionResult o } => o.Option.Name,
            _ => null,
        };
        await Console.Error.WriteLineAsync(option is null ? "error: " + error.Message : $"error: {option}: {error.Message}");
    }

    return ExitCodes.BadInput;
}

try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
{
    // An unreadable input or unwritable output path is bad input: say which, without a stack trace.
    await Console.Error.WriteLineAsync("error: " + ex.Message);
    return ExitCodes.BadInput;
}
