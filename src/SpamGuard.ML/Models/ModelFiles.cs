using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using SpamGuard.Core.Scoring;
using SpamGuard.ML.Scoring;
using SpamGuard.ML.Training;

namespace SpamGuard.ML.Models;

/// <summary>
/// Reads and writes a model version: <c>&lt;name&gt;-&lt;version&gt;.zip</c> (the ML.NET pipeline),
/// <c>.json</c> (the card, which the service needs) and <c>.md</c> (the card for people).
/// </summary>
public static class ModelFiles
{
    public static readonly JsonSerializerOptions CardJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static string CardPathFor(string zipPath) => Path.ChangeExtension(zipPath, ".json");

    /// <summary>Writes the three files into <paramref name="directory"/> and returns the zip's path.</summary>
    public static string Save(string directory, TrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(directory);
        var zipPath = Path.Combine(directory, model.Card.ModelVersion + ".zip");
        // Written to a temporary name and renamed, so a reader never sees half a file.
        var temporary = zipPath + ".tmp";
        using (var stream = File.Create(temporary))
        {
            model.Context.Model.Save(model.Model.Transformer, model.InputSchema, stream);
        }

        File.Move(temporary, zipPath, overwrite: true);
        File.WriteAllText(CardPathFor(zipPath), JsonSerializer.Serialize(model.Card, CardJson) + "\n", Utf8NoBom);
        File.WriteAllText(Path.ChangeExtension(zipPath, ".md"), ModelCardMarkdown.Write(model.Card), Utf8NoBom);
        return zipPath;
    }

    /// <summary>Loads a model and its card, refusing anything missing, corrupt or inconsistent.</summary>
    /// <exception cref="ModelLoadException">With a message that names the file and the problem.</exception>
    public static (SpamModel Model, ModelCard Card) Load(string zipPath)
    {
        if (!File.Exists(zipPath))
        {
            throw new ModelLoadException($"Model file '{zipPath}' does not exist.");
        }

        var card = ReadCard(zipPath);
        var ml = new MLContext(seed: card.Seed);
        ITransformer transformer;
        DataViewSchema inputSchema;
        try
        {
            using var stream = File.OpenRead(zipPath);
            transformer = ml.Model.Load(stream, out inputSchema);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ModelLoadException($"Model file '{zipPath}' is corrupt or not an ML.NET model: {ex.Message}", ex);
        }

        var thresholds = new Thresholds(card.Thresholds.Spam, card.Thresholds.Discard);
        if (!thresholds.IsValid)
        {
            throw new ModelLoadException($"Model card '{CardPathFor(zipPath)}' has invalid thresholds {card.Thresholds.Spam}/{card.Thresholds.Discard}.");
        }

        try
        {
            var model = new SpamModel(ml, transformer, inputSchema, card.ModelVersion,
                new PlattCalibration(card.Calibration.Slope, card.Calibration.Offset), thresholds, card.StatisticReference);
            // Build one engine now: a schema mismatch shows up here, at load, not on the first request.
            model.Margin(Core.Features.CommentFeatureExtractor.Extract("warm-up", null));
            return (model, card);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new ModelLoadException($"Model file '{zipPath}' is not compatible with this version of SpamGuard: {ex.Message}", ex);
        }
    }

    public static ModelCard ReadCard(string zipPath)
    {
        var cardPath = CardPathFor(zipPath);
        if (!File.Exists(cardPath))
        {
            throw new ModelLoadException($"Model card '{cardPath}' is missing; a model is not loaded without its card.");
        }

        ModelCard? card;
        try
        {
            card = JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(cardPath), CardJson);
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException($"Model card '{cardPath}' is not valid: {ex.Message}", ex);
        }

        if (card is null)
        {
            throw new ModelLoadException($"Model card '{cardPath}' is empty.");
        }

        if (card.Format != ModelCard.CurrentFormat)
        {
            throw new ModelLoadException($"Model card '{cardPath}' has format {card.Format}; this SpamGuard reads format {ModelCard.CurrentFormat}.");
        }

        // "required" only makes the properties present; JSON null still gets through, and the scorer needs these.
        if (card.Calibration is null || card.Thresholds is null || string.IsNullOrEmpty(card.Name) || string.IsNullOrEmpty(card.Version))
        {
            throw new ModelLoadException($"Model card '{cardPath}' lacks its name, version, calibration or thresholds.");
        }

        if (!double.IsFinite(card.Calibration.Slope) || card.Calibration.Slope <= 0 || !double.IsFinite(card.Calibration.Offset))
        {
            throw new ModelLoadException(
                $"Model card '{cardPath}' has an unusable calibration (slope {card.Calibration.Slope}, offset {card.Calibration.Offset}): the slope must be a positive number and the offset a number.");
        }

        if (card.StatisticReference is { } reference
            && (reference.Count != ModelInput.StatisticCount || reference.Any(v => !float.IsFinite(v))))
        {
            throw new ModelLoadException(
                $"Model card '{cardPath}' has an unusable statistic reference: {ModelInput.StatisticCount} finite numbers are needed.");
        }

        return card;
    }
}
