using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Embedded;

/// <summary>
/// How a receipt is kept on disk. Its processing entries are mostly the same sentences for every check (what each field
/// is used for, generated from the configuration), about two thirds of a receipt; so each record keeps only its own
/// part (verdict, signals, each entry's pseudonyms, deflated: JSON of signals halves) and the sentences are kept once per distinct text in
/// "processing_texts", keyed by a SHA-256 prefix. Texts hold no personal data and are few, so they are never deleted.
/// </summary>
internal sealed class StoredReceiptCodec
{
    // Distinct texts are few (one per combination of submitted fields and configuration); the cap only stops a process
    // from growing without bound if the configuration changed all the time.
    private const int MaxCachedTexts = 4096;

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private readonly ConcurrentDictionary<string, IReadOnlyList<ProcessingText>> _texts = new(StringComparer.Ordinal);

    public const string Schema = """
        CREATE TABLE IF NOT EXISTS processing_texts (ref TEXT PRIMARY KEY, json TEXT NOT NULL) STRICT, WITHOUT ROWID;
        """;

    /// <summary>The record's part of <paramref name="receipt"/>, deflated JSON; writes its processing text in
    /// <paramref name="transaction"/> the first time this process sees it. A pseudonym that is one of the record's
    /// <paramref name="subjects"/> is kept as "#index" (the record holds it already).</summary>
    public byte[] Compact(CheckReceipt receipt, IReadOnlyList<ReputationSubject>? subjects, SqliteConnection connection, SqliteTransaction transaction)
    {
        var texts = receipt.Processing.Select(p => new ProcessingText(p.Field, p.Purpose, p.Handling, p.Retention)).ToList();
        var json = JsonSerializer.Serialize(texts);
        var reference = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)).AsSpan(0, 12));
        if (!_texts.ContainsKey(reference))
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT OR IGNORE INTO processing_texts (ref, json) VALUES ($ref, $json);";
            command.Parameters.AddWithValue("$ref", reference);
            command.Parameters.AddWithValue("$json", json);
            command.ExecuteNonQuery();
            Remember(reference, texts);
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; subjects is not null && i < subjects.Count; i++)
        {
            index.TryAdd(subjects[i].Pseudonym, i);
        }

        var stored = new StoredReceipt(receipt.Verdict, receipt.SpamProbability, receipt.ModelVersion, reference)
        {
            Summary = receipt.Summary,
            Signals = receipt.Signals,
            ReputationAvailable = receipt.ReputationAvailable,
            Pseudonyms = [.. receipt.Processing.Select(p => p.Pseudonyms.Select(x => index.TryGetValue(x, out var i) ? "#" + i.ToString(CultureInfo.InvariantCulture) : x).ToList())],
        };
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            JsonSerializer.Serialize(deflate, stored, Json);
        }

        return buffer.ToArray();
    }

    /// <summary>The receipt stored as <paramref name="blob"/>, whole again; null when its processing text is missing.</summary>
    public CheckReceipt? Expand(byte[] blob, IReadOnlyList<ReputationSubject> subjects, SqliteConnection connection)
    {
        StoredReceipt stored;
        using (var deflate = new DeflateStream(new MemoryStream(blob), CompressionMode.Decompress))
        {
            stored = JsonSerializer.Deserialize<StoredReceipt>(deflate, Json)!;
        }

        var texts = Texts(stored.ProcessingRef, connection);
        if (texts is null || texts.Count != stored.Pseudonyms.Count)
        {
            return null;
        }

        return new CheckReceipt(stored.Verdict, stored.SpamProbability, stored.ModelVersion,
            [.. texts.Select((t, i) => new FieldProcessing(t.Field, t.Purpose, t.Handling, t.Retention) { Pseudonyms = [.. stored.Pseudonyms[i].Select(x => Pseudonym(x, subjects))] })])
        {
            Summary = stored.Summary,
            Signals = stored.Signals,
            ReputationAvailable = stored.ReputationAvailable,
        };
    }

    private static string Pseudonym(string stored, IReadOnlyList<ReputationSubject> subjects) =>
        stored.StartsWith('#') && int.TryParse(stored.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < subjects.Count
            ? subjects[i].Pseudonym
            : stored;

    /// <summary>Forgets which texts were written, after a transaction that may have written one was rolled back.</summary>
    public void Forget() => _texts.Clear();

    private IReadOnlyList<ProcessingText>? Texts(string reference, SqliteConnection connection)
    {
        if (_texts.TryGetValue(reference, out var cached))
        {
            return cached;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json FROM processing_texts WHERE ref = $ref;";
        command.Parameters.AddWithValue("$ref", reference);
        if (command.ExecuteScalar() is not string json)
        {
            return null;
        }

        var texts = JsonSerializer.Deserialize<List<ProcessingText>>(json)!;
        Remember(reference, texts);
        return texts;
    }

    private void Remember(string reference, IReadOnlyList<ProcessingText> texts)
    {
        if (_texts.Count >= MaxCachedTexts)
        {
            _texts.Clear();
        }

        _texts[reference] = texts;
    }

    private sealed record ProcessingText(string Field, string Purpose, DataHandling Handling, TimeSpan Retention);

    private sealed record StoredReceipt(Verdict Verdict, double SpamProbability, string ModelVersion, string ProcessingRef)
    {
        public string Summary { get; init; } = "";

        public IReadOnlyList<Signal> Signals { get; init; } = [];

        public bool ReputationAvailable { get; init; }

        public IReadOnlyList<IReadOnlyList<string>> Pseudonyms { get; init; } = [];
    }
}
