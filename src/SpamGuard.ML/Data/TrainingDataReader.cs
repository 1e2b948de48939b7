using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SpamGuard.ML.Data;

/// <summary>What was read from one training file, for the model card.</summary>
public sealed record CorpusFile(string Path, string Sha256, int Rows, int Spam, int Ham);

/// <summary>
/// Reads labelled comments from JSONL (<c>{"id","source","author","date","content","label"}</c>, the schema of
/// ../shared/data) or CSV with a header that has content and label columns (the YouTube CSVs' CONTENT/CLASS too).
/// Dates are never read: their presence leaks the label in one corpus.
/// </summary>
public static class TrainingDataReader
{
    public static (IReadOnlyList<TrainingExample> Examples, CorpusFile File) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new TrainingDataException($"{path}: file not found.");
        }

        var bytes = File.ReadAllBytes(path);
        var text = new UTF8Encoding(false, true);
        string content;
        try
        {
            content = text.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new TrainingDataException($"{path}: not valid UTF-8.", ex);
        }

        // Editors on Windows start UTF-8 files with a byte-order mark; it is not part of the first row.
        if (content.StartsWith('\uFEFF'))
        {
            content = content[1..];
        }

        // Folder and file: both shared corpora name their file train.jsonl.
        var full = System.IO.Path.GetFullPath(path);
        var corpus = $"{System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(full))}/{System.IO.Path.GetFileName(full)}";
        var examples = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
            ? ReadCsv(path, corpus, content)
            : ReadJsonl(path, corpus, content);
        if (examples.Count == 0)
        {
            throw new TrainingDataException($"{path}: no labelled rows.");
        }

        var spam = examples.Count(e => e.IsSpam);
        var file = new CorpusFile(path, Convert.ToHexStringLower(SHA256.HashData(bytes)), examples.Count, spam, examples.Count - spam);
        return (examples, file);
    }

    /// <summary>Writes examples in the JSONL schema this reader reads (no dates: they are never used).</summary>
    /// <param name="probabilities">When given, one per example, written as "spam_probability".</param>
    public static void WriteJsonl(string path, IEnumerable<TrainingExample> examples, IReadOnlyList<double>? probabilities = null)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        var index = 0;
        foreach (var e in examples)
        {
            var row = new Dictionary<string, object?>
            {
                ["id"] = e.Id,
                ["source"] = e.Source,
                ["author"] = e.Author,
                ["date"] = null,
                ["content"] = e.Content,
                ["label"] = e.IsSpam ? "spam" : "ham",
            };
            if (probabilities is not null)
            {
                row["spam_probability"] = probabilities[index];
            }

            index++;
            writer.WriteLine(JsonSerializer.Serialize(row));
        }
    }

    private static List<TrainingExample> ReadJsonl(string path, string corpus, string content)
    {
        var examples = new List<TrainingExample>();
        var lineNumber = 0;
        foreach (var line in content.Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonElement root;
            try
            {
                using var doc = JsonDocument.Parse(line);
                root = doc.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new TrainingDataException($"{path}:{lineNumber}: not a JSON object ({ex.Message}).", ex);
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TrainingDataException($"{path}:{lineNumber}: not a JSON object.");
            }

            var label = StringOrNull(root, "label", path, lineNumber)
                        ?? throw new TrainingDataException($"{path}:{lineNumber}: missing \"label\".");
            var text = StringOrNull(root, "content", path, lineNumber)
                       ?? throw new TrainingDataException($"{path}:{lineNumber}: missing \"content\".");
            examples.Add(new TrainingExample(
                StringOrNull(root, "id", path, lineNumber) ?? $"{corpus}:{lineNumber}",
                corpus,
                StringOrNull(root, "source", path, lineNumber) ?? corpus,
                StringOrNull(root, "author", path, lineNumber),
                text,
                ParseLabel(label, path, lineNumber)));
        }

        return examples;
    }

    private static string? StringOrNull(JsonElement root, string name, string path, int line)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new TrainingDataException($"{path}:{line}: \"{name}\" must be a string.");
    }

    private static List<TrainingExample> ReadCsv(string path, string corpus, string content)
    {
        var records = CsvParser.Parse(content, path);
        if (records.Count == 0)
        {
            throw new TrainingDataException($"{path}:1: empty file, expected a header with content and label columns.");
        }

        var header = records[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var contentColumn = header.IndexOf("content");
        var labelColumn = header.IndexOf("label") is var l and >= 0 ? l : header.IndexOf("class");
        if (contentColumn < 0 || labelColumn < 0)
        {
            throw new TrainingDataException($"{path}:1: the header needs a 'content' and a 'label' (or 'class') column.");
        }

        var idColumn = header.IndexOf("id") is var i and >= 0 ? i : header.IndexOf("comment_id");
        var authorColumn = header.IndexOf("author");
        var examples = new List<TrainingExample>(records.Count - 1);
        foreach (var record in records.Skip(1))
        {
            if (record.Fields.Count == 1 && record.Fields[0].Length == 0)
            {
                continue;
            }

            if (record.Fields.Count != header.Count)
            {
                throw new TrainingDataException(
                    $"{path}:{record.Line}: {record.Fields.Count} columns, the header has {header.Count}.");
            }

            examples.Add(new TrainingExample(
                idColumn >= 0 ? record.Fields[idColumn] : $"{corpus}:{record.Line}",
                corpus,
                corpus,
                authorColumn >= 0 ? record.Fields[authorColumn] : null,
                record.Fields[contentColumn],
                ParseLabel(record.Fields[labelColumn], path, record.Line)));
        }

        return examples;
    }

    private static bool ParseLabel(string label, string path, int line) => label.Trim().ToLowerInvariant() switch
    {
        "spam" or "1" => true,
        "ham" or "0" => false,
        _ => throw new TrainingDataException($"{path}:{line}: unknown label '{label}' (expected spam, ham, 1 or 0)."),
    };
}
