using System.CommandLine;
using Google.Protobuf;
using SpamGuard.Contracts.V1;
using SpamGuard.ML.Models;

namespace SpamGuard.Cli.Commands;

/// <summary><c>spamguard admin models|show|activate|rollback|upload</c>: the server's model registry.</summary>
internal static class ModelCommands
{
    public static IEnumerable<Command> Create() => [List(), Show(), Activate(), Rollback(), Upload()];

    private static Command List()
    {
        var options = new AdminOptions();
        var command = options.Command("models", "List the stored model versions, newest first, with the active one and the rollback target.");
        command.SetAction((result, cancellationToken) => options.CallAsync(result, async (client, metadata, deadline) =>
        {
            var response = await client.ListModelsAsync(new ListModelsRequest(), metadata, deadline, cancellationToken);
            options.Print(result, response, () => ModelTables.WriteModels(ModelTables.Stdout, response));
        }));
        return command;
    }

    private static Command Show()
    {
        var options = new AdminOptions(jsonDescription: "Print the model card JSON as the server stores it, and nothing else.");
        var version = new Argument<string>("version") { Description = "The model version, as `admin models` lists it." };
        var command = options.Command("show", "Show one model version's card: data, split, thresholds and validation metrics.", version);
        command.SetAction((result, cancellationToken) => options.CallAsync(result, async (client, metadata, deadline) =>
        {
            var info = await client.GetModelAsync(new GetModelRequest { Version = result.GetValue(version)! }, metadata, deadline, cancellationToken);
            if (result.GetValue(options.Json))
            {
                Console.Out.WriteLine(info.CardJson);
                return;
            }

            ModelTables.WriteCard(ModelTables.Stdout, info, CardSummary.Parse(info.CardJson));
        }));
        return command;
    }

    private static Command Activate()
    {
        var version = new Argument<string>("version") { Description = "The model version, as `admin models` lists it." };
        return ActivateCommand("activate", "Make a stored version active on every node (promote a candidate).",
            result => new ActivateModelRequest { Version = result.GetValue(version)! }, version);
    }

    private static Command Rollback() =>
        ActivateCommand("rollback", "Make the version that was active before the current one active again.", _ => new ActivateModelRequest { Rollback = true });

    private static Command ActivateCommand(string name, string description, Func<ParseResult, ActivateModelRequest> request, params Symbol[] symbols)
    {
        var options = new AdminOptions();
        var command = options.Command(name, description, symbols);
        command.SetAction((result, cancellationToken) => options.CallAsync(result, async (client, metadata, deadline) =>
        {
            var response = await client.ActivateModelAsync(request(result), metadata, deadline, cancellationToken);
            options.Print(result, response, () => Console.Out.WriteLine(
                $"active: {response.ActiveVersion} (previous: {(string.IsNullOrEmpty(response.PreviousVersion) ? "none" : response.PreviousVersion)})"));
        }));
        return command;
    }

    private static Command Upload()
    {
        var options = new AdminOptions(timeoutSeconds: 300);
        var zip = new Argument<FileInfo>("zip") { Description = "The model zip as `spamguard train` writes it; its card is the .json beside it." };
        var command = options.Command("upload", "Add a model trained elsewhere (`spamguard train`) to the server as a candidate.", zip);
        command.SetAction(async (result, cancellationToken) =>
        {
            var zipPath = result.GetValue(zip)!.FullName;
            var cardPath = ModelFiles.CardPathFor(zipPath);
            foreach (var (path, what) in new[] { (zipPath, "model zip"), (cardPath, "model card (the .json beside the zip)") })
            {
                if (!File.Exists(path))
                {
                    await Console.Error.WriteLineAsync($"error: {what} not found: {path}");
                    return ExitCodes.BadInput;
                }
            }

            var request = new UploadModelRequest
            {
                ModelZip = ByteString.CopyFrom(await File.ReadAllBytesAsync(zipPath, cancellationToken)),
                CardJson = await File.ReadAllTextAsync(cardPath, cancellationToken),
            };
            return await options.CallAsync(result, async (client, metadata, deadline) =>
            {
                var info = await client.UploadModelAsync(request, metadata, deadline, cancellationToken);
                options.Print(result, info, () => Console.Out.WriteLine(
                    $"uploaded: {info.Version} (a candidate; `spamguard admin activate {info.Version}` makes it active)"));
            });
        });
        return command;
    }
}
