using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace SpamGuard.Core.Feedback;

/// <summary>
/// An append-only JSON-lines file. Each append is one line written through to disk before the call returns, so an
/// acknowledged entry survives a crash; a line cut short by a crash mid-write is skipped when reading. Appends from
/// concurrent callers are serialised. The file is readable by its owner only (0600 on Unix): reports and check records
/// are pseudonymised, but they are still the service's data, not every local user's.
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
            await using var file = Open(Path, FileMode.Append);
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
                await ReplaceWithAsync(kept, cancellationToken);
            }

            return dropped;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Replaces the file atomically, between two appends, with the entries <paramref name="current"/> returns
    /// when called (under the append lock, so an entry appended after it ran goes to the new file); none deletes it.</summary>
    public async Task RewriteAsync(Func<IEnumerable<T>> current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var lines = current().Select(entry => JsonSerializer.Serialize(entry, Json)).ToList();
            if (lines.Count == 0)
            {
                File.Delete(Path);
            }
            else
            {
                await ReplaceWithAsync(lines, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads every entry now (for loading state at start-up, before any append).</summary>
    public List<T> ReadAll()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        return [.. File.ReadLines(Path, Encoding.UTF8).Select(Parse).OfType<T>()];
    }

    public void Dispose() => _gate.Dispose();

    private async Task ReplaceWithAsync(List<string> lines, CancellationToken cancellationToken)
    {
        var temporary = Path + ".rewrite";
        await using (var file = Open(temporary, FileMode.Create))
        await using (var writer = new StreamWriter(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
        {
            foreach (var line in lines)
            {
                await writer.WriteAsync(line.AsMemory(), cancellationToken);
                await writer.WriteAsync('\n');
            }
        }

        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>Opens for writing, creating the file (and its directory) owner-only; a file left by an older version
    /// with a wider mode is narrowed.</summary>
    private static FileStream Open(string path, FileMode mode)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions
        {
            Mode = mode,
            Access = FileAccess.Write,
            Share = FileShare.Read | FileShare.Delete,
            Options = FileOptions.WriteThrough,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        var file = new FileStream(path, options);
        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(file.SafeFileHandle) != OwnerOnly)
        {
            File.SetUnixFileMode(file.SafeFileHandle, OwnerOnly);
        }

        return file;
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

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
