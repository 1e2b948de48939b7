using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Spectre.Console;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Commands;

/// <summary><c>spamguard check</c>: scores one comment against a running server and prints the verdict and why.</summary>
internal static class CheckCommand
{
    private static readonly JsonFormatter CompleteJson = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static Command Create()
    {
        var server = CliOptions.Server("gRPC address of the server.", new Uri("http://127.0.0.1:50051"));
        var site = new Option<string>("--site") { Description = "The blog's URL (Akismet: blog).", DefaultValueFactory = _ => "http://localhost/" };
        var content = new Option<string?>("--content") { Description = "The comment text (HTML allowed)." };
        var contentFile = new Option<string?>("--content-file") { Description = "Read the comment text from a file, or from standard input with '-'." };
        var author = new Option<string?>("--author") { Description = "Commenter's name." };
        var email = new Option<string?>("--email") { Description = "Commenter's e-mail." };
        var url = new Option<string?>("--url") { Description = "Commenter's website." };
        var ip = new Option<string?>("--ip") { Description = "Commenter's IP address." };
        var userAgent = new Option<string?>("--user-agent") { Description = "Commenter's browser user agent." };
        var referrer = new Option<string?>("--referrer") { Description = "HTTP referrer of the comment form." };
        var permalink = new Option<string?>("--permalink") { Description = "URL of the post commented on." };
        var type = new Option<CommentType>("--type") { Description = "comment, forum-post, reply, blog-post, contact-form, signup, message, trackback or pingback.", CustomParser = ParseType, DefaultValueFactory = _ => CommentType.Comment };
        var role = new Option<string?>("--role") { Description = "Author's role on the site, e.g. administrator." };
        var honeypotField = new Option<string?>("--honeypot-field") { Description = "Name of the hidden honeypot field." };
        var honeypotValue = new Option<string?>("--honeypot-value") { Description = "What was submitted in it." };
        var submitMs = new Option<uint?>("--time-to-submit-ms") { Description = "Milliseconds from page load to submit." };
        var jsRan = new Option<bool?>("--javascript-ran") { Description = "Whether the form's JavaScript ran (true/false)." };
        var isTest = new Option<bool>("--is-test") { Description = "Mark as a test call: nothing is learned or stored." };
        var timeout = CliOptions.Timeout(10);
        var json = CliOptions.Json();
        var key = CliOptions.SiteKey();

        var command = new Command("check", "Score one comment against a running server and print the verdict and explanation.")
        {
            server, site, content, contentFile, author, email, url, ip, userAgent, referrer, permalink, type, role,
            honeypotField, honeypotValue, submitMs, jsRan, isTest, timeout, json, key,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var request = new CheckCommentRequest
            {
                Site = result.GetValue(site)!,
                Author = result.GetValue(author) ?? "",
                AuthorEmail = result.GetValue(email) ?? "",
                AuthorUrl = result.GetValue(url) ?? "",
                UserIp = result.GetValue(ip) ?? "",
                UserAgent = result.GetValue(userAgent) ?? "",
                Referrer = result.GetValue(referrer) ?? "",
                Permalink = result.GetValue(permalink) ?? "",
                CommentType = result.GetValue(type),
                UserRole = result.GetValue(role) ?? "",
                IsTest = result.GetValue(isTest),
            };
            var text = await CommentTextAsync(result.GetValue(content), result.GetValue(contentFile), cancellationToken);
            if (text is null)
            {
                return ExitCodes.BadInput;
            }

            request.Content = text;

            if (result.GetValue(honeypotField) is { } field)
            {
                request.Honeypot = new Honeypot { FieldName = field, Value = result.GetValue(honeypotValue) ?? "" };
            }

            if (result.GetValue(submitMs) is not null || result.GetValue(jsRan) is not null)
            {
                request.ClientSignals = new ClientSignals();
                if (result.GetValue(submitMs) is { } ms)
                {
                    request.ClientSignals.TimeToSubmitMs = ms;
                }

                if (result.GetValue(jsRan) is { } ran)
                {
                    request.ClientSignals.JavascriptRan = ran;
                }
            }

            return await CheckAsync(result.GetValue(server)!, request, CliOptions.SiteKeyMetadata(result.GetValue(key)), TimeSpan.FromSeconds(result.GetValue(timeout)), result.GetValue(json), cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// The text from --content or --content-file (a path, or '-' for stdin); null after printing the error. A comment
    /// text must be given explicitly: a check without one would score an empty comment and answer ham, which reads as
    /// a verdict on a text that was never sent. An empty text is still checked when asked for (--content "").
    /// </summary>
    private static async Task<string?> CommentTextAsync(string? content, string? contentFile, CancellationToken cancellationToken)
    {
        if (content is not null && contentFile is not null)
        {
            await Console.Error.WriteLineAsync("error: give the comment text with --content or --content-file, not both.");
            return null;
        }

        if (content is not null)
        {
            return content;
        }

        if (contentFile is null)
        {
            await Console.Error.WriteLineAsync("error: no comment text: give --content TEXT, --content-file PATH, or --content-file - to read standard input.");
            return null;
        }

        if (contentFile == "-")
        {
            return await Console.In.ReadToEndAsync(cancellationToken);
        }

        var file = new FileInfo(contentFile);
        if (!file.Exists)
        {
            await Console.Error.WriteLineAsync($"error: {file.FullName}: file not found.");
            return null;
        }

        return await File.ReadAllTextAsync(file.FullName, cancellationToken);
    }

    private static async Task<int> CheckAsync(Uri server, CheckCommentRequest request, Metadata? metadata, TimeSpan timeout, bool json, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(server);
        var client = new CommentFilter.CommentFilterClient(channel);
        CheckCommentResponse response;
        try
        {
            response = await client.CheckCommentAsync(request, metadata, DateTime.UtcNow.Add(timeout), cancellationToken);
        }
        catch (RpcException ex)
        {
            return await CliErrors.ReportAsync(ex);
        }

        if (json)
        {
            // Every field, defaults included: a script must see "reputationAvailable": false, not a missing key.
            Console.Out.WriteLine(CompleteJson.Format(response));
            return ExitCodes.Ok;
        }

        Print(response);
        return ExitCodes.Ok;
    }

    private static void Print(CheckCommentResponse r)
    {
        var culture = CultureInfo.InvariantCulture;
        AnsiConsole.MarkupLineInterpolated($"[bold]{r.Verdict}[/]  spam probability {r.SpamProbability.ToString("0.0000", culture)}  (spam >= {r.Thresholds.Spam.ToString("0.####", culture)}, discard >= {r.Thresholds.Discard.ToString("0.####", culture)})");
        AnsiConsole.MarkupLineInterpolated($"model {r.ModelVersion}  check id {r.CheckId}");
        AnsiConsole.MarkupLineInterpolated($"{r.Explanation.Summary}");
        var signals = new Table().AddColumns("signal", "kind", "weight", "evidence");
        foreach (var s in r.Explanation.Signals)
        {
            signals.AddRow(Markup.Escape(s.Name), s.Kind.ToString(), s.Weight.ToString("+0.000;-0.000", culture), Markup.Escape(s.Evidence));
        }

        AnsiConsole.Write(signals);
        var processing = new Table().AddColumns("field", "handling", "retention", "purpose");
        foreach (var p in r.Explanation.Processing)
        {
            processing.AddRow(Markup.Escape(p.Field), p.Handling.ToString(), Markup.Escape(p.Retention), Markup.Escape(p.Purpose));
        }

        AnsiConsole.Write(processing);
    }

    private static CommentType ParseType(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "comment" : result.Tokens[0].Value;
        var key = text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        if (Enum.TryParse<CommentType>(key, ignoreCase: true, out var type) && type != CommentType.Unspecified)
        {
            return type;
        }

        result.AddError($"Unknown comment type '{text}'.");
        return CommentType.Unspecified;
    }
}
