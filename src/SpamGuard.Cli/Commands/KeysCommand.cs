using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Commands;

/// <summary><c>spamguard keys create|list|revoke</c>: site keys, through the ModelAdmin service with the admin key.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", $"Create, list and revoke site keys on a running server (admin key from {AdminCommand.KeyVariable}).");
        keys.Subcommands.Add(CreateKey());
        keys.Subcommands.Add(List());
        keys.Subcommands.Add(Revoke());
        return keys;
    }

    private static Command CreateKey()
    {
        var server = Server();
        var sites = new Option<string[]>("--site") { Description = "A site the key is for (repeat for several).", Required = true, AllowMultipleArgumentsPerToken = false };
        var longForm = new Option<bool>("--long") { Description = "Create a 54-character key (256 bits) instead of Akismet's 12-character shape, for clients that take any key (not WordPress)." };
        var json = CliOptions.Json();
        var command = new Command("create", "Create a site key (12 characters, as Akismet clients expect); it is printed once and never stored.") { server, sites, longForm, json };
        command.SetAction((result, cancellationToken) => AdminCommand.CallAsync(result.GetValue(server)!, async (client, metadata, deadline) =>
        {
            var request = new CreateSiteKeyRequest { Form = result.GetValue(longForm) ? KeyForm.Long : KeyForm.Akismet };
            request.Sites.Add(result.GetValue(sites)!);
            var response = await client.CreateSiteKeyAsync(request, metadata, deadline, cancellationToken);
            Console.Out.WriteLine(result.GetValue(json)
                ? JsonFormatter.Default.Format(response)
                : $"key {response.Key}\nid  {response.Info.Id}\nfor {string.Join(", ", response.Info.Sites)}\nStore the key now: the server keeps only its hash.");
        }));
        return command;
    }

    private static Command List()
    {
        var server = Server();
        var json = CliOptions.Json();
        var command = new Command("list", "List site keys (ids, sites, dates; never the keys).") { server, json };
        command.SetAction((result, cancellationToken) => AdminCommand.CallAsync(result.GetValue(server)!, async (client, metadata, deadline) =>
        {
            var response = await client.ListSiteKeysAsync(new ListSiteKeysRequest(), metadata, deadline, cancellationToken);
            if (result.GetValue(json))
            {
                Console.Out.WriteLine(JsonFormatter.Default.Format(response));
                return;
            }

            if (response.Keys.Count == 0)
            {
                Console.Out.WriteLine("no site keys (create one with: spamguard keys create --site URL)");
                return;
            }

            foreach (var key in response.Keys)
            {
                var state = key.RevokedAt is null ? "valid" : "revoked " + key.RevokedAt.ToDateTimeOffset().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                Console.Out.WriteLine($"{key.Id}  {key.CreatedAt.ToDateTimeOffset():yyyy-MM-dd}  {state,-18}  {string.Join(", ", key.Sites)}");
            }
        }));
        return command;
    }

    private static Command Revoke()
    {
        var server = Server();
        var id = new Argument<string>("id") { Description = "The key's id, as keys list shows it." };
        var json = CliOptions.Json();
        var command = new Command("revoke", "Revoke a site key.") { server, id, json };
        command.SetAction((result, cancellationToken) => AdminCommand.CallAsync(result.GetValue(server)!, async (client, metadata, deadline) =>
        {
            var response = await client.RevokeSiteKeyAsync(new RevokeSiteKeyRequest { Id = result.GetValue(id)! }, metadata, deadline, cancellationToken);
            Console.Out.WriteLine(result.GetValue(json) ? JsonFormatter.Default.Format(response) : $"revoked {response.Info.Id}");
        }));
        return command;
    }

    private static Option<Uri> Server() => CliOptions.Server("gRPC address of the server.", new Uri("http://127.0.0.1:50051"));
}
