using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SpamGuard.ML.Data;
using SpamGuard.ML.Models;
using SpamGuard.ML.Training;

namespace SpamGuard.Cli.Commands;

/// <summary><c>spamguard train</c>: trains a model from labelled files and writes it with its card.</summary>
internal static class TrainCommand
{
    public static Command Create(string[] processArgs)
    {
        var data = CliOptions.Data("Labelled files: JSONL ({\"content\",\"label\",...} per line) or CSV with content and label columns.");
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory to write <name>-<version>.zip/.json/.md into.", Required = true };
        var defaults = new TrainerSettings();
        var seed = new Option<int>("--seed") { Description = "Seed for the split, folds and trainer.", DefaultValueFactory = _ => defaults.Seed }.InRange(0, int.MaxValue);
        var fraction = new Option<double>("--validation-fraction")
        {
            Description = "Share of each (corpus, label) held back for the card's metrics.",
            DefaultValueFactory = _ => defaults.ValidationFraction,
        }.InRange(0.0, 1.0, exclusive: true);
        var name = new Option<string>("--name") { Description = "Model name.", DefaultValueFactory = _ => defaults.Name };
        var version = new Option<string>("--version") { Description = "Model version, e.g. 1.0.0.", DefaultValueFactory = _ => defaults.Version };
        var wordNgrams = new Option<int>("--word-ngrams") { Description = "Word n-grams up to this length.", DefaultValueFactory = _ => defaults.WordNgramLength }.InRange(1, 5);
        var charNgrams = new Option<int>("--char-ngrams") { Description = "Character n-gram length (0: off).", DefaultValueFactory = _ => defaults.CharNgramLength }.InRange(0, 10);
        var charAll = new Option<bool>("--char-ngrams-all-lengths") { Description = "Character n-grams of every length up to --char-ngrams." };
        var weighting = new Option<string>("--weighting") { Description = "Word n-gram weighting: tf, tfidf or idf (presence times idf).", DefaultValueFactory = _ => defaults.Weighting };
        weighting.AcceptOnlyFromAmong([.. TrainerSettings.Weightings]);
        var charWeighting = new Option<string>("--char-weighting") { Description = "Character n-gram weighting: tf, tfidf or idf.", DefaultValueFactory = _ => defaults.CharWeighting };
        charWeighting.AcceptOnlyFromAmong([.. TrainerSettings.Weightings]);
        var algorithm = new Option<string>("--trainer")
        {
            Description = "lbfgs (logistic regression), sdca (logistic loss) or svm (hinge loss; --l2 is its lambda).",
            DefaultValueFactory = _ => defaults.Algorithm,
        };
        algorithm.AcceptOnlyFromAmong([.. TrainerSettings.Algorithms]);
        var cues = new Option<bool>("--cues") { Description = "Add hand-written spam cues (short codes, premium numbers, prices, prize words, opt-out, self-promotion) as features." };
        var balance = new Option<bool>("--balance") { Description = "Weigh rows so that spam and ham carry equal total weight within each corpus file (lbfgs and sdca only)." };
        var deduplicate = new Option<bool>("--deduplicate") { Description = "Train on each repeated (text, label) once." };
        var l2 = new Option<float>("--l2") { Description = "L2 regularisation.", DefaultValueFactory = _ => defaults.L2Regularization }.InRange(0f, 1000f);
        var l1 = new Option<float>("--l1") { Description = "L1 regularisation.", DefaultValueFactory = _ => defaults.L1Regularization }.InRange(0f, 1000f);
        var targetFpr = new Option<double>("--target-fpr")
        {
            Description = "Highest out-of-fold share of ham the spam threshold may block, per corpus.",
            DefaultValueFactory = _ => defaults.TargetFalsePositiveRate,
        }.InRange(0.0, 1.0, exclusive: true);

        var heldOut = new Option<string>("--held-out")
        {
            Description = "How calibration and thresholds get scores the model did not train on: folds (k random folds) or sources (leave one source out: each video held out in turn, SMS by folds; thresholds must hold on every held-out source).",
            DefaultValueFactory = _ => defaults.HeldOut,
        };
        heldOut.AcceptOnlyFromAmong([.. HeldOutGroups.Methods]);
        var writeValidation = new Option<FileInfo?>("--write-validation")
        {
            Description = "Also write the held-back validation rows as JSONL, to evaluate other models on exactly them later.",
        };
        var writeOutOfFold = new Option<FileInfo?>("--write-out-of-fold")
        {
            Description = "Also write the training rows with their out-of-fold spam probability as JSONL, to study the model's mistakes without looking at the validation rows.",
        };
        var command = new Command("train", "Train a model, calibrate it, choose thresholds and write it with its model card.")
        {
            data, output, seed, fraction, name, version, wordNgrams, charNgrams, charAll, weighting, charWeighting, algorithm, l2, l1, targetFpr, writeValidation, writeOutOfFold, deduplicate, cues, balance, heldOut,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var settings = new TrainerSettings
            {
                Seed = result.GetValue(seed),
                ValidationFraction = result.GetValue(fraction),
                Name = result.GetValue(name)!,
                Version = result.GetValue(version)!,
                WordNgramLength = result.GetValue(wordNgrams),
                CharNgramLength = result.GetValue(charNgrams),
                CharNgramAllLengths = result.GetValue(charAll),
                Weighting = result.GetValue(weighting)!,
                CharWeighting = result.GetValue(charWeighting)!,
                Algorithm = result.GetValue(algorithm)!,
                DeduplicateTraining = result.GetValue(deduplicate),
                Cues = result.GetValue(cues),
                BalanceClasses = result.GetValue(balance),
                L2Regularization = result.GetValue(l2),
                L1Regularization = result.GetValue(l1),
                TargetFalsePositiveRate = result.GetValue(targetFpr),
                HeldOut = result.GetValue(heldOut)!,
            };

            // Checked here, after parsing and before reading the data: a command validator would read the options
            // before their own errors show.
            if (settings.SvmOptionsConflict)
            {
                return Task.FromResult(Fail("--trainer svm needs --l2 above 0 (its lambda), and takes no --l1 and no --balance."));
            }

            try
            {
                var (examples, files) = CorpusLoader.Load(result.GetValue(data)!);
                // An unwritable --out fails now, not after minutes of training.
                Directory.CreateDirectory(result.GetValue(output)!.FullName);
                var trained = Train(examples, files, settings, CommandLine(processArgs), cancellationToken);
                var zip = ModelFiles.Save(result.GetValue(output)!.FullName, trained);
                if (result.GetValue(writeValidation) is { } validationFile)
                {
                    TrainingDataReader.WriteJsonl(validationFile.FullName, trained.Validation);
                }

                if (result.GetValue(writeOutOfFold) is { } outOfFoldFile)
                {
                    TrainingDataReader.WriteJsonl(outOfFoldFile.FullName, trained.OutOfFold.Select(o => o.Example), [.. trained.OutOfFold.Select(o => o.Probability)]);
                }

                ResultTables.WriteCard(trained.Card, zip);
                return Task.FromResult(ExitCodes.Ok);
            }
            catch (TrainingDataException ex)
            {
                return Task.FromResult(Fail(ex.Message));
            }
        });
        return command;
    }

    private static TrainedModel Train(List<TrainingExample> examples, List<CorpusFile> files, TrainerSettings settings,
        string commandLine, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!console.Profile.Capabilities.Interactive)
        {
            // No terminal (CI, pipes): one line per phase instead of a redrawn bar.
            return SpamModelTrainer.Train(examples, files, settings, commandLine, new ActionProgress(p => Console.Error.WriteLine(
                string.Create(CultureInfo.InvariantCulture, $"[{p.Percent,3:0}%] {p.Phase}"))), cancellationToken);
        }

        TrainedModel? trained = null;
        console.Progress().Start(ctx =>
        {
            var task = ctx.AddTask("Training", maxValue: 100);
            trained = SpamModelTrainer.Train(examples, files, settings, commandLine, new ActionProgress(p =>
            {
                task.Description = p.Phase;
                task.Value = p.Percent;
            }), cancellationToken);
        });
        return trained!;
    }

    private static string CommandLine(string[] args) =>
        "spamguard " + string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));

    private static int Fail(string message)
    {
        Console.Error.WriteLine("error: " + message);
        return ExitCodes.BadInput;
    }

    /// <summary>Reports on the training thread; Progress&lt;T&gt; would post to the thread pool and print out of order.</summary>
    private sealed class ActionProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
