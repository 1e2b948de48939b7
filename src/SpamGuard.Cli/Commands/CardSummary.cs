using System.Globalization;
using System.Text.Json;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Cli.Commands;

/// <summary>One data file the model was trained from, as its card lists it.</summary>
internal sealed record CardDataFile(string File, long? Rows, long? Spam, long? Ham);

/// <summary>How the card's rows were split into training and validation.</summary>
internal sealed record CardSplit(double? ValidationFraction, long? TrainRows, long? ValidationRows);

/// <summary>
/// The fields of a model card (<c>ModelInfo.card_json</c>) that <c>admin show</c> prints. Read field by field with
/// <see cref="JsonDocument"/> rather than into <c>SpamGuard.ML.Models.ModelCard</c>: the card may come from a server
/// or trainer of another version, and a card with a field missing or added should still be shown, not refused.
/// Absent fields are null.
/// </summary>
internal sealed record CardSummary(
    string? Name,
    string? Version,
    DateTimeOffset? Created,
    long? Seed,
    string? Trainer,
    IReadOnlyList<CardDataFile> Data,
    CardSplit? Split,
    double? SpamThreshold,
    double? DiscardThreshold,
    Evaluation? Validation)
{
    /// <summary>The card's fields, or null when <paramref name="json"/> is not a JSON object.</summary>
    public static CardSummary? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var split = Child(root, "split");
            var thresholds = Child(root, "thresholds");
            return new CardSummary(
                Text(root, "name"),
                Text(root, "version"),
                DateTimeOffset.TryParse(Text(root, "created_utc"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created) ? created : null,
                Count(root, "seed"),
                Child(root, "trainer") is { } trainer ? Text(trainer, "algorithm") : null,
                Child(root, "data") is { ValueKind: JsonValueKind.Array } data
                    ? [.. data.EnumerateArray().Select(f => new CardDataFile(Text(f, "file") ?? "?", Count(f, "rows"), Count(f, "spam"), Count(f, "ham")))]
                    : [],
                split is { } s ? new CardSplit(Number(s, "validation_fraction"), Count(s, "train_rows"), Count(s, "validation_rows")) : null,
                thresholds is { } t ? Number(t, "spam") : null,
                thresholds is { } d ? Number(d, "discard") : null,
                Child(root, "validation") is { } validation ? ToEvaluation(validation) : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The card's metrics in the proto's shape, so they print like the server's. The card counts blocked ham
    /// (<c>ham_blocked</c>) where the proto has the share (<c>false_positive_rate</c> in the card).
    /// </summary>
    private static Evaluation ToEvaluation(JsonElement validation)
    {
        var evaluation = new Evaluation();
        if (Child(validation, "overall") is { } overall)
        {
            evaluation.Overall = ToMetrics(overall);
        }

        if (Child(validation, "per_source") is { ValueKind: JsonValueKind.Object } perSource)
        {
            foreach (var source in perSource.EnumerateObject())
            {
                evaluation.PerSource[source.Name] = ToMetrics(source.Value);
            }
        }

        return evaluation;
    }

    // A missing figure is NaN, which the tables print as a dash, rather than a zero that reads as a measurement.
    private static Metrics ToMetrics(JsonElement metrics) => new()
    {
        Rows = (int)(Count(metrics, "count") ?? 0),
        Spam = (int)(Count(metrics, "spam") ?? 0),
        Ham = (int)(Count(metrics, "ham") ?? 0),
        Accuracy = Number(metrics, "accuracy") ?? double.NaN,
        Precision = Number(metrics, "precision") ?? double.NaN,
        Recall = Number(metrics, "recall") ?? double.NaN,
        F1 = Number(metrics, "f1") ?? double.NaN,
        Mcc = Number(metrics, "mcc") ?? double.NaN,
        Auc = Number(metrics, "auc") ?? double.NaN,
        HamBlocked = Number(metrics, "false_positive_rate") ?? double.NaN,
        SpamCaught = (int)(Count(metrics, "spam_caught") ?? 0),
    };

    private static JsonElement? Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? Text(JsonElement element, string name) => Child(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static double? Number(JsonElement element, string name) => Child(element, name) switch
    {
        { ValueKind: JsonValueKind.Number } value => value.GetDouble(),
        // The card writes NaN (an AUC on one-class data) as the string "NaN".
        { ValueKind: JsonValueKind.String } value when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    private static long? Count(JsonElement element, string name) => Number(element, name) is { } value && double.IsFinite(value) ? (long)value : null;
}
