using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// An append-only JSON-lines file. Each append is one line written through to disk before the call returns, so an
/// acknowledged entry survives a crash; a line cut short by a crash mid-write is skipped when reading. Appends from
/// concurrent callers are serialised.
/// </summary>
public sealed class JsonLinesFile<T>(string path) : IDisposable
    where T : class
{
    internal static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly SemaphoreSlim _gate = new(1, 1);

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public bool Exists => File.Exists(Path);

    public async Task AppendAsync(T entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n");
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

    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            yield break;
        }

        await using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (Parse(line) is { } entry)
            {
                yield return entry;
            }
        }
    }

    public void Delete() => File.Delete(Path);

    /// <summary>Rewrites the file without the entries <paramref name="drop"/> selects (between two appends, replacing
    /// the file atomically); returns how many were dropped.</summary>
    public async Task<long> RemoveWhereAsync(Func<T, bool> drop, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(drop);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(Path))
            {
                return 0;
            }

            var kept = new List<string>();
            long dropped = 0;
            foreach (var line in await File.ReadAllLinesAsync(Path, cancellationToken))
            {
                if (Parse(line) is { } entry && drop(entry))
                {
                    dropped++;
                }
                else if (line.Length > 0)
                {
                    kept.Add(line);
                }
            }

            if (dropped > 0)
            {
                var temporary = Path + ".rewrite";
                await File.WriteAllLinesAsync(temporary, kept, cancellationToken);
                File.Move(temporary, Path, overwrite: true);
            }

            return dropped;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private static T? Parse(string line)
    {
        try
        {
            return line.Length == 0 ? null : JsonSerializer.Deserialize<T>(line, Json);
        }
        catch (JsonException)
        {
            // The last line of a file whose writer crashed mid-append: that entry was never acknowledged.
            return null;
        }
    }
}
