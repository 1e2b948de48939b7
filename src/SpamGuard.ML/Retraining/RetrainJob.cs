using System.Runtime.CompilerServices;
using SpamGuard.ML.Models;
using SpamGuard.ML.Registry;

namespace SpamGuard.ML.Retraining;

/// <summary>Where a retrain is. <see cref="Result"/> or <see cref="Error"/> is set once it has finished.</summary>
public sealed record RetrainStatus(string Phase, long RowsRead, double Percent, RetrainResult? Result = null, string? Error = null)
{
    public bool IsFinished => Result is not null || Error is not null;
}

/// <param name="Candidate">The stored candidate and its card.</param>
/// <param name="ActiveVersion">The model active when the job started.</param>
/// <param name="Active">That model's metrics on the candidate's held-back rows.</param>
public sealed record RetrainResult(RegisteredModel Candidate, string ActiveVersion, ValidationReport Active, ValidationReport CandidateMetrics, bool Promoted, string Gate);

/// <summary>One retrain; any number of callers watch it, and leaving does not stop it.</summary>
public sealed class RetrainJob
{
    private readonly Lock _lock = new();
    private RetrainStatus _status = new("queued", 0, 0);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal RetrainJob(string id) => Id = id;

    public string Id { get; }

    public RetrainStatus Status
    {
        get
        {
            lock (_lock)
            {
                return _status;
            }
        }
    }

    /// <summary>The current status, then every change until the job finishes (intermediate ones may be skipped).</summary>
    public async IAsyncEnumerable<RetrainStatus> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            RetrainStatus status;
            Task next;
            lock (_lock)
            {
                status = _status;
                next = _changed.Task;
            }

            yield return status;
            if (status.IsFinished)
            {
                yield break;
            }

            await next.WaitAsync(cancellationToken);
        }
    }

    internal void Report(RetrainStatus status)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (_status.IsFinished)
            {
                return;
            }

            _status = status;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
