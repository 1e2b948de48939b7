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
            await using var file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.WriteThrough);
            await file.WriteAsync(line, cancellationToken);
            await file.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    public async IAsyncEnumerable<LabelledExample> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            yield break;
        }

        await using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(file, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            var example = Parse(line);
            if (example is not null)
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
