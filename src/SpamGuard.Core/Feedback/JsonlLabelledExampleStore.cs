using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// Labelled examples in an append-only JSON-lines file: the durable store when no Redis is configured. Each append
/// is one line written and flushed to disk before the call returns, so an accepted report survives a crash; a line
/// cut short by a crash mid-write is skipped when reading. Appends from concurrent requests are serialised.
/// </summary>
public sealed class JsonlLabelledExampleStore(string path) : ILabelledExampleStore, IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly SemaphoreSlim _gate = new(1, 1);

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public async Task AppendAsync(LabelledExample example, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(example);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(example, Json) + "\n");
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            await using var file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, 4096, FileOptions.WriteThrough);
            await file.WriteAsync(line, cancellationToken);
            await file.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// Moves the file to <paramref name="destination"/> between two appends, so every later append starts a new
    /// file and nothing is written to the moved one after this returns. False when there was nothing to move.
    /// </summary>
    public async Task<bool> MoveToAsync(string destination, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(Path))
            {
                return false;
            }

            File.Move(Path, destination);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async IAsyncEnumerable<LabelledExample> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            yield break;
        }

        await using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file, Encoding.UTF8);
        // An entry appended twice (a retried call) is one report.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (Parse(line) is { } example && seen.Add(example.EntryId))
            {
                yield return example;
            }
        }
    }

    private static LabelledExample? Parse(string line)
    {
        try
        {
            return line.Length == 0 ? null : JsonSerializer.Deserialize<LabelledExample>(line, Json);
        }
        catch (JsonException)
        {
            // The last line of a file whose writer crashed mid-append: that report was never acknowledged.
            return null;
        }
    }
}
