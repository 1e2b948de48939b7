using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests.Infrastructure;

/// <summary>Data files for the CLI, written from <see cref="FixtureCorpus"/>.</summary>
public static class TestData
{
    public static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public static int CountRows(string jsonlPath) => File.ReadAllLines(jsonlPath).Count(l => !string.IsNullOrWhiteSpace(l));

    /// <summary>The fixture as JSONL with the labels of <paramref name="flippedIds"/> inverted.</summary>
    public static string WriteJsonlWithFlippedLabels(string directory, IReadOnlySet<string> flippedIds, string fileName = "flipped.jsonl")
    {
        var path = Path.Combine(directory, fileName);
        File.WriteAllLines(path, FixtureCorpus.Examples.Select(e => JsonSerializer.Serialize(new
        {
            id = e.Id,
            source = e.Source,
            author = e.Author,
            content = e.Content,
            label = e.IsSpam != flippedIds.Contains(e.Id) ? "spam" : "ham",
        })));
        return path;
    }

    /// <summary>
    /// The fixture as RFC 4180 CSV (<c>id,author,content,label</c>; labels as spam/ham and 1/0 alternately), plus one
    /// extra ham row whose quoted content holds a newline, a comma and a doubled quote.
    /// </summary>
    public static string WriteCsv(string directory, string fileName = "fixture.csv")
    {
        var csv = new StringBuilder("id,author,content,label\r\n");
        var index = 0;
        foreach (var e in FixtureCorpus.Examples)
        {
            var label = index++ % 2 == 0 ? (e.IsSpam ? "spam" : "ham") : (e.IsSpam ? "1" : "0");
            csv.Append(Quote(e.Id)).Append(',').Append(Quote(e.Author ?? "")).Append(',').Append(Quote(e.Content)).Append(',').Append(label).Append("\r\n");
        }

        csv.Append("multi-line,Reader Z,\"First line of a careful reply about the garden,\nsecond line with a \"\"quoted\"\" word.\",ham\r\n");
        var path = Path.Combine(directory, fileName);
        File.WriteAllText(path, csv.ToString(), new UTF8Encoding(false));
        return path;
    }

    private static string Quote(string field) => "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
