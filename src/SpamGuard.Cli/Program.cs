using System.CommandLine;
using SpamGuard.Cli.Commands;

var root = new RootCommand("spamguard: train, evaluate and benchmark SpamGuard models, and check comments against a server.");
root.Subcommands.Add(TrainCommand.Create(args));
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(CheckCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return await root.Parse(args).InvokeAsync();
