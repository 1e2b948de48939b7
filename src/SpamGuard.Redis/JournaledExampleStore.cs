using SpamGuard.Core.Feedback;

namespace SpamGuard.Redis;

/// <summary>
/// The labelled-example store in Redis mode, so that no accepted report is lost while Redis is down: an append that
/// Redis cannot take goes to a local append-only journal (write-through JSON lines), and <see cref="ReplayAsync"/>
/// moves the journal aside and adds its entries to the stream. Entries are added by entry id, at most once
/// (<see cref="RedisLabelledExampleStore"/>), so a replay cut short by a crash or an outage is simply run again.
/// </summary>
public sealed class JournaledExampleStore : ILabelledExampleStore, IDisposable
{
    private readonly RedisLabelledExampleStore _redis;
    private readonly JsonlLabelledExampleStore _journal;
    private readonly string _replaying;
    private readonly SemaphoreSlim _replay = new(1, 1);

    public JournaledExampleStore(RedisLabelledExampleStore redis, string journalDirectory)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(journalDirectory);
        _redis = redis;
        _journal = new JsonlLabelledExampleStore(Path.Combine(journalDirectory, "journal.jsonl"));
        _replaying = Path.Combine(journalDirectory, "journal.replaying.jsonl");
    }

    /// <summary>Whether reports are waiting in the journal.</summary>
    public bool HasPending => File.Exists(_journal.Path) || File.Exists(_replaying);

    public async Task AppendAsync(LabelledExample example, CancellationToken cancellationToken)
    {
        try
        {
            await _redis.AppendAsync(example, cancellationToken);
        }
        catch (RedisUnavailableException)
        {
            await _journal.AppendAsync(example, cancellationToken);
        }
    }

    /// <summary>Reads the stream; while Redis is down this fails like any Redis call.</summary>
    public IAsyncEnumerable<LabelledExample> ReadAllAsync(CancellationToken cancellationToken) => _redis.ReadAllAsync(cancellationToken);

    /// <summary>Adds every journaled entry to Redis and then deletes the journal; returns how many were sent.</summary>
    /// <exception cref="RedisUnavailableException">Redis is still unavailable; the journal is kept for the next try.</exception>
    public async Task<int> ReplayAsync(CancellationToken cancellationToken)
    {
        await _replay.WaitAsync(cancellationToken);
        try
        {
            // A file left by an interrupted replay goes first; it is replayed whole again, which is safe.
            if (!File.Exists(_replaying) && !await _journal.MoveToAsync(_replaying, cancellationToken))
            {
                return 0;
            }

            var sent = 0;
            using (var pending = new JsonlLabelledExampleStore(_replaying))
            {
                await foreach (var example in pending.ReadAllAsync(cancellationToken))
                {
                    await _redis.AppendAsync(example, cancellationToken);
                    sent++;
                }
            }

            File.Delete(_replaying);
            return sent;
        }
        finally
        {
            _replay.Release();
        }
    }

    public void Dispose()
    {
        _journal.Dispose();
        _replay.Dispose();
    }
}
