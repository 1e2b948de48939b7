using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Scoring;
using StackExchange.Redis;

namespace SpamGuard.Redis;

/// <summary>
/// How receipts are kept in Redis. A receipt's processing entries are mostly the same sentences for every check
/// (what each field is used for, its handling and retention, generated from the running configuration): two thirds of
/// a check record. So each record keeps only its own part (verdict, signals, and the pseudonyms of each entry), and the
/// sentences are kept once per distinct text under "spamguard:processing:&lt;sha256 prefix&gt;". Each node writes a text
/// the first time it uses it and again every <see cref="RefreshInterval"/>, with a TTL longer than the longest record
/// retention it has seen plus that interval, so a text outlives every record that names it. A record whose text is
/// gone (Redis lost data) reads back without a receipt, as when attaching it failed.
/// </summary>
internal sealed class StoredReceipts(IConnectionMultiplexer redis, RedisCallGuard guard)
{
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromDays(1);

    // Distinct texts are few (one per combination of submitted fields and configuration); the caps only stop a
    // process from growing without bound if the configuration changed all the time.
    private const int MaxCachedTexts = 4096;

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private readonly ConcurrentDictionary<string, long> _writtenAt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<ProcessingText>> _texts = new(StringComparer.Ordinal);
    private long _longestKeepTicks = TimeSpan.FromDays(7).Ticks;

    /// <summary>Records the longest retention a record was saved with, which every text must outlive.</summary>
    public void Keeping(TimeSpan keep)
    {
        var ticks = keep.Ticks;
        for (var seen = Interlocked.Read(ref _longestKeepTicks); ticks > seen; seen = Interlocked.Read(ref _longestKeepTicks))
        {
            if (Interlocked.CompareExchange(ref _longestKeepTicks, ticks, seen) == seen)
            {
                return;
            }
        }
    }

    /// <summary>The record's part of <paramref name="receipt"/>, as JSON; queues the write of its processing text (on
    /// the same connection, before the caller's own command) when this node has not written it lately.</summary>
    public string Compact(CheckReceipt receipt)
    {
        var texts = receipt.Processing.Select(p => new ProcessingText(p.Field, p.Purpose, p.Handling, p.Retention)).ToList();
        var json = JsonSerializer.Serialize(texts);
        var reference = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)).AsSpan(0, 16));
        EnsureWritten(reference, json);
        return JsonSerializer.Serialize(
            new StoredReceipt(receipt.Verdict, receipt.SpamProbability, receipt.ModelVersion)
            {
                Summary = receipt.Summary,
                Signals = receipt.Signals,
                ReputationAvailable = receipt.ReputationAvailable,
                ProcessingRef = reference,
                Pseudonyms = [.. receipt.Processing.Select(p => p.Pseudonyms)],
            },
            Json);
    }

    /// <summary>The receipt stored as <paramref name="json"/>, whole again; null when its processing text is gone.
    /// Receipts written before texts were shared (processing entries inline) read as they are.</summary>
    public async Task<CheckReceipt?> ExpandAsync(string json, CancellationToken cancellationToken)
    {
        var stored = JsonSerializer.Deserialize<StoredReceipt>(json)!;
        IReadOnlyList<FieldProcessing> processing = stored.Processing ?? [];
        if (stored.ProcessingRef is { } reference)
        {
            var texts = await TextsAsync(reference, cancellationToken);
            if (texts is null || texts.Count != stored.Pseudonyms.Count)
            {
                return null;
            }

            processing = [.. texts.Select((t, i) => new FieldProcessing(t.Field, t.Purpose, t.Handling, t.Retention) { Pseudonyms = stored.Pseudonyms[i] })];
        }

        return new CheckReceipt(stored.Verdict, stored.SpamProbability, stored.ModelVersion, processing)
        {
            Summary = stored.Summary,
            Signals = stored.Signals,
            ReputationAvailable = stored.ReputationAvailable,
        };
    }

    internal static RedisKey Key(string reference) => "spamguard:processing:" + reference;

    private void EnsureWritten(string reference, string json)
    {
        var now = Environment.TickCount64;
        if (_writtenAt.TryGetValue(reference, out var at) && now - at < (long)RefreshInterval.TotalMilliseconds)
        {
            return;
        }

        if (_writtenAt.Count >= MaxCachedTexts)
        {
            _writtenAt.Clear();
        }

        _writtenAt[reference] = now;
        var ttl = TimeSpan.FromTicks(Interlocked.Read(ref _longestKeepTicks)) + (2 * RefreshInterval);
        redis.GetDatabase().StringSet(Key(reference), json, ttl, flags: CommandFlags.FireAndForget);
    }

    private async Task<IReadOnlyList<ProcessingText>?> TextsAsync(string reference, CancellationToken cancellationToken)
    {
        if (_texts.TryGetValue(reference, out var cached))
        {
            return cached;
        }

        var json = (string?)await guard.RunAsync(() => redis.GetDatabase().StringGetAsync(Key(reference)), cancellationToken);
        if (json is null)
        {
            // Lost (Redis restarted without its data): write it again next time it is used.
            _writtenAt.TryRemove(reference, out _);
            return null;
        }

        var texts = JsonSerializer.Deserialize<List<ProcessingText>>(json)!;
        if (_texts.Count >= MaxCachedTexts)
        {
            _texts.Clear();
        }

        _texts[reference] = texts;
        return texts;
    }

    private sealed record ProcessingText(string Field, string Purpose, DataHandling Handling, TimeSpan Retention);

    // Both forms in one shape: ProcessingRef and Pseudonyms (one list per processing entry) now, Processing inline before.
    private sealed record StoredReceipt(Verdict Verdict, double SpamProbability, string ModelVersion)
    {
        public string Summary { get; init; } = "";

        public IReadOnlyList<Signal> Signals { get; init; } = [];

        public bool ReputationAvailable { get; init; }

        public string? ProcessingRef { get; init; }

        public IReadOnlyList<IReadOnlyList<string>> Pseudonyms { get; init; } = [];

        public IReadOnlyList<FieldProcessing>? Processing { get; init; }
    }
}
