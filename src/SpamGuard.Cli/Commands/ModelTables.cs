using System.Globalization;
using Spectre.Console;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Commands;

/// <summary>
/// Readable output of the model admin commands. Takes the console to write to, so tests can render into a string
/// instead of the terminal.
/// </summary>
internal static class ModelTables
{
    private const string None = "–";

    private static readonly Lazy<IAnsiConsole> StdoutConsole = new(() =>
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            // A file or pipe has no width to fit; Spectre's 80-column default would wrap versions and figures mid-cell.
            console.Profile.Width = Math.Max(console.Profile.Width, 200);
        }

        return console;
    });

    /// <summary>Standard output, for the commands; tests pass their own console.</summary>
    public static IAnsiConsole Stdout => StdoutConsole.Value;

    private static readonly (string Name, Func<Metrics, string> Value)[] OverallRows =
    [
        ("rows", m => m.Rows.ToString(CultureInfo.InvariantCulture)),
        ("accuracy", m => Figure(m.Accuracy)),
        ("precision", m => Figure(m.Precision)),
        ("recall", m => Figure(m.Recall)),
        ("f1", m => Figure(m.F1)),
        ("mcc", m => Figure(m.Mcc)),
        ("auc", m => Figure(m.Auc)),
        ("ham blocked", m => Share(m.HamBlocked)),
        ("spam caught", m => string.Create(CultureInfo.InvariantCulture, $"{m.SpamCaught}/{m.Spam}")),
    ];

    // Per source only f1 and ham blocked: every figure for every source would make the table too long to read.
    private static readonly (string Name, Func<Metrics, string> Value)[] SourceRows =
    [
        ("f1", m => Figure(m.F1)),
        ("ham blocked", m => Share(m.HamBlocked)),
    ];

    /// <summary>
    /// One column per evaluation and one row per figure, so a candidate and the active model read side by side;
    /// a dash where a column has no such figure (no active model, a source only one of them was scored on).
    /// </summary>
    public static void WriteEvaluations(IAnsiConsole console, IReadOnlyList<(string Heading, Evaluation? Evaluation)> columns)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(columns);
        var table = new Table().AddColumn("metric");
        foreach (var (heading, _) in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(heading)).RightAligned());
        }

        foreach (var (name, value) in OverallRows)
        {
            table.AddRow([new Text(name), .. columns.Select(c => Cell(c.Evaluation?.Overall, value))]);
        }

        var sources = columns.SelectMany(c => c.Evaluation?.PerSource.Keys ?? Enumerable.Empty<string>()).Distinct().Order(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            foreach (var (name, value) in SourceRows)
            {
                table.AddRow([new Text($"{source}: {name}"), .. columns.Select(c => Cell(c.Evaluation?.PerSource.GetValueOrDefault(source), value))]);
            }
        }

        console.Write(table);
    }

    /// <summary>What <c>admin retrain</c> prints once the job has finished.</summary>
    public static void WriteRetrainResult(IAnsiConsole console, RetrainProgress last, bool joined)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(last);
        var result = last.Result ?? throw new ArgumentException("The message carries no result.", nameof(last));
        var candidate = result.Candidate?.Version is { Length: > 0 } version ? version : "the candidate";
        console.WriteLine(joined ? $"joined retrain job {last.JobId}, which was already running" : $"retrain job {last.JobId}");
        // Versions on their own line, not in the column headings, where a narrow terminal would cut them short.
        console.WriteLine($"candidate {candidate} against active {OrNone(result.ActiveVersion)}, on the same held-back rows:");
        WriteEvaluations(console, [("active", result.ActiveEvaluation), ("candidate", result.CandidateEvaluation)]);
        console.WriteLine("gate: " + (string.IsNullOrWhiteSpace(result.Gate) ? "(the server gave no reason)" : result.Gate));
        console.WriteLine(result.Promoted
            ? $"promoted: {candidate} is now active"
            : $"not promoted: {candidate} is stored as a candidate; `spamguard admin activate {candidate}` makes it active");
    }

    /// <summary>The <c>admin models</c> table, in the server's order (newest first).</summary>
    public static void WriteModels(IAnsiConsole console, ListModelsResponse response)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(response);
        // Short headings, so the row fits 100 columns with a retrain's long version; "*" marks the active one.
        var table = new Table()
            .AddColumns("", "version", "created (UTC)")
            .AddColumn(new TableColumn("f1").RightAligned())
            .AddColumn(new TableColumn("ham blocked").RightAligned())
            .AddColumn("thresholds");
        foreach (var model in response.Models)
        {
            table.AddRow(
                new Text(model.Active ? "*" : ""),
                new Text(model.Version),
                new Text(Created(model.CreatedAt?.ToDateTimeOffset(), "yyyy-MM-dd HH:mm")),
                Cell(model.Validation?.Overall, m => Figure(m.F1)),
                Cell(model.Validation?.Overall, m => Share(m.HamBlocked)),
                new Text($"{Threshold(model.SpamThreshold)} / {Threshold(model.DiscardThreshold)}"));
        }

        console.Write(table);
        console.WriteLine("active (*): " + OrNone(response.ActiveVersion));
        console.WriteLine("previous (rollback target): " + OrNone(response.PreviousVersion));
    }

    /// <summary>
    /// The <c>admin show</c> card. Fields come from the card when it has them and from the server's fields of
    /// <paramref name="info"/> otherwise, so an unreadable card still shows what the server knows.
    /// </summary>
    public static void WriteCard(IAnsiConsole console, ModelInfo info, CardSummary? card)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(info);
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string key, string value) => grid.AddRow(new Text(key), new Text(value));

        Row("version", info.Version + (info.Active ? " (active)" : ""));
        if (card is null)
        {
            Row("card", "not a JSON object; showing the server's fields only");
        }

        Row("created", Created(info.CreatedAt?.ToDateTimeOffset() ?? card?.Created, "yyyy-MM-dd HH:mm:ss 'UTC'"));
        Row("seed", card?.Seed?.ToString(CultureInfo.InvariantCulture) ?? None);
        Row("trainer", card?.Trainer ?? None);
        var data = card?.Data ?? [];
        for (var i = 0; i < Math.Max(1, data.Count); i++)
        {
            Row(i == 0 ? "data" : "", i < data.Count ? DataFile(data[i]) : None);
        }

        Row("split", card?.Split is { } split ? Split(split) : None);
        Row("thresholds", $"spam >= {Threshold(card?.SpamThreshold ?? info.SpamThreshold)}, discard >= {Threshold(card?.DiscardThreshold ?? info.DiscardThreshold)}");
        console.Write(grid);
        WriteEvaluations(console, [("validation", card?.Validation ?? info.Validation)]);
    }

    /// <summary>The <c>admin feedback</c> totals and per-day table.</summary>
    public static void WriteFeedback(IAnsiConsole console, FeedbackStatsResponse response)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(response);
        console.WriteLine($"reports the next retrain reads: {response.Spam} spam, {response.Ham} ham");
        if (response.Days.Count == 0)
        {
            return;
        }

        var table = new Table()
            .AddColumn("day (UTC)")
            .AddColumn(new TableColumn("spam").RightAligned())
            .AddColumn(new TableColumn("ham").RightAligned());
        foreach (var day in response.Days)
        {
            table.AddRow(new Text(day.Day), new Text(day.Spam.ToString(CultureInfo.InvariantCulture)), new Text(day.Ham.ToString(CultureInfo.InvariantCulture)));
        }

        console.Write(table);
    }

    private static Text Cell(Metrics? metrics, Func<Metrics, string> value) => new Text(metrics is null ? None : value(metrics));

    private static string DataFile(CardDataFile file) =>
        $"{file.File}: {Number(file.Rows)} rows ({Number(file.Spam)} spam, {Number(file.Ham)} ham)";

    private static string Split(CardSplit split) =>
        $"{Number(split.TrainRows)} training rows, {Number(split.ValidationRows)} validation rows"
        + (split.ValidationFraction is { } fraction ? $" ({Share(fraction)} held back)" : "");

    private static string Created(DateTimeOffset? created, string format) =>
        created?.ToUniversalTime().ToString(format, CultureInfo.InvariantCulture) ?? None;

    private static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";

    private static string Figure(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : None;

    private static string Share(double value) => double.IsFinite(value) ? value.ToString("P2", CultureInfo.InvariantCulture) : None;

    // Zero is what an unset proto double reads as; no model has a threshold of exactly zero.
    private static string Threshold(double value) => value > 0 ? value.ToString("0.####", CultureInfo.InvariantCulture) : None;

    private static string OrNone(string version) => string.IsNullOrEmpty(version) ? "(none)" : version;
}
