using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Tests;

/// <summary>
/// The check and feedback services over the in-process stores, each wrapped so a test can take it "down" (it then
/// throws <see cref="StoreUnavailableException"/>, as the Redis stores do). Real outages of a real redis-server are
/// tested end to end in SpamGuard.Redis.Tests and SpamGuard.Server.Tests.
/// </summary>
internal sealed class FeedbackHarness : IDisposable
{
    public static readonly byte[] Secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-feedback-").FullName;
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _counters = new(StringComparer.Ordinal);

    public FeedbackHarness(IScoringModel model, FeedbackOptions? feedbackOptions = null, ReputationWeights? weights = null)
        : this(model, feedbackOptions, weights, NullLogger<CommentCheckService>.Instance)
    {
    }

    public FeedbackHarness(IScoringModel model, FeedbackOptions? feedbackOptions, ReputationWeights? weights, Microsoft.Extensions.Logging.ILogger<CommentCheckService> checkLogger)
    {
        Options = feedbackOptions ?? new FeedbackOptions();
        Options.DataDirectory = _dir;
        Reputation = new FlakyReputationStore(new InProcessReputationStore());
        Records = new FlakyCheckRecordStore(new InProcessCheckRecordStore());
        Examples = new FlakyExampleStore(new JsonlLabelledExampleStore(Path.Combine(_dir, "examples.jsonl")));
        Journal = new ReportJournal(_dir);
        Outbox = new CheckOutbox(_dir, Options.OutboxCapacity);
        Pseudonyms = new Pseudonymizer(Secret);
        var factory = _meters.GetRequiredService<IMeterFactory>();
        var metrics = Metrics = new SpamGuardMetrics(factory);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this harness's meter: tests run in parallel, each with a meter of the same name, and a listener
            // keyed on the name alone would add up every test's counts.
            if (instrument.Meter.Name == SpamGuardMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (_counters)
            {
                _counters[instrument.Name] = _counters.GetValueOrDefault(instrument.Name) + value;
            }
        });
        _listener.Start();

        Outboxed = new OutboxedCheckRecordStore(Records, Outbox, TimeProvider.System, metrics, NullLogger<OutboxedCheckRecordStore>.Instance);
        var scorer = new CommentScorer(new FixedClassifier(model), Microsoft.Extensions.Options.Options.Create(new ScoringOptions()));
        var feedback = Microsoft.Extensions.Options.Options.Create(Options);
        Checks = new CommentCheckService(scorer, Reputation, Outboxed, Pseudonyms,
            Microsoft.Extensions.Options.Options.Create(new ReputationOptions { Weights = weights ?? new ReputationWeights() }),
            feedback, TimeProvider.System, metrics, checkLogger);
        Feedback = new FeedbackService(Outboxed, Reputation, Examples, Journal, Pseudonyms, feedback, TimeProvider.System, metrics,
            NullLogger<FeedbackService>.Instance);
    }

    public FeedbackOptions Options { get; }

    public SpamGuardMetrics Metrics { get; }

    public FlakyReputationStore Reputation { get; }

    public FlakyCheckRecordStore Records { get; }

    public FlakyExampleStore Examples { get; }

    public ReportJournal Journal { get; }

    public CheckOutbox Outbox { get; }

    /// <summary>The records as the services use them: <see cref="Records"/> with the outbox behind it.</summary>
    public OutboxedCheckRecordStore Outboxed { get; }

    public Pseudonymizer Pseudonyms { get; }

    public CommentCheckService Checks { get; }

    public FeedbackService Feedback { get; }

    public string DataDirectory => _dir;

    /// <summary>Takes every store down or brings them back.</summary>
    public bool AllDown
    {
        set
        {
            Reputation.Down = value;
            Records.Down = value;
            Examples.Down = value;
        }
    }

    public long Counter(string name)
    {
        _listener.RecordObservableInstruments();
        lock (_counters)
        {
            return _counters.GetValueOrDefault(name);
        }
    }

    public async Task<List<LabelledExample>> ExamplesAsync()
    {
        var all = new List<LabelledExample>();
        await foreach (var example in Examples.Inner.ReadAllAsync(CancellationToken.None))
        {
            all.Add(example);
        }

        return all;
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meters.Dispose();
        Journal.Dispose();
        Outbox.Dispose();
        Examples.Inner.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>Throws <see cref="StoreUnavailableException"/> while <see cref="Down"/>, else forwards.</summary>
internal abstract class Flaky
{
    public bool Down { get; set; }

    /// <summary>Calls left before the store goes down by itself (for outages in the middle of a report).</summary>
    public int? FailAfter { get; set; }

    public int Calls { get; private set; }

    protected void Gate()
    {
        Calls++;
        if (FailAfter is { } left)
        {
            if (left <= 0)
            {
                Down = true;
            }

            FailAfter = left - 1;
        }

        if (Down)
        {
            throw new StoreUnavailableException("test outage");
        }
    }
}

internal sealed class FlakyReputationStore(InProcessReputationStore inner) : Flaky, IReputationStore
{
    public InProcessReputationStore Inner => inner;

    public Task<IReadOnlyList<SubjectReputation>> RecordCheckAsync(IReadOnlyList<ReputationSubject> subjects, string site, bool modelSaysSpam, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Gate();
        return inner.RecordCheckAsync(subjects, site, modelSaysSpam, at, cancellationToken);
    }

    public Task<IReadOnlyList<SubjectReputation>> ReadAsync(IReadOnlyList<ReputationSubject> subjects, string site, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Gate();
        return inner.ReadAsync(subjects, site, at, cancellationToken);
    }

    public Task<long> EraseAsync(IReadOnlyList<ReputationSubject> subjects, CancellationToken cancellationToken)
    {
        Gate();
        return inner.EraseAsync(subjects, cancellationToken);
    }

    /// <summary>The next report is counted but its reply is lost, as when a timeout fires just after Redis ran it.</summary>
    public bool LoseNextReply { get; set; }

    public async Task RecordReportAsync(IReadOnlyList<ReputationSubject> subjects, string site, ReportLabel label, DateTimeOffset at, ReportCorrection? replaces, string entryId, CancellationToken cancellationToken)
    {
        Gate();
        await inner.RecordReportAsync(subjects, site, label, at, replaces, entryId, cancellationToken);
        if (LoseNextReply)
        {
            LoseNextReply = false;
            throw new StoreUnavailableException("test: reply lost");
        }
    }
}

internal sealed class FlakyCheckRecordStore(InProcessCheckRecordStore inner) : Flaky, ICheckRecordStore
{
    public InProcessCheckRecordStore Inner => inner;

    public Task SaveAsync(CheckRecord record, TimeSpan keep, CancellationToken cancellationToken)
    {
        Gate();
        return inner.SaveAsync(record, keep, cancellationToken);
    }

    /// <summary>Like a fire-and-forget write: lost while the store is down, and not counted as a call.</summary>
    public void AttachReceipt(string checkId, CheckReceipt receipt)
    {
        if (!Down)
        {
            inner.AttachReceipt(checkId, receipt);
        }
    }

    public Task<long> EraseAsync(IReadOnlySet<string> pseudonyms, CancellationToken cancellationToken)
    {
        Gate();
        return inner.EraseAsync(pseudonyms, cancellationToken);
    }

    public Task<CheckRecord?> GetAsync(string checkId, CancellationToken cancellationToken)
    {
        Gate();
        return inner.GetAsync(checkId, cancellationToken);
    }

    /// <summary>The next report reaches the store but its reply is lost, as when a timeout fires just after Redis ran it.</summary>
    public bool LoseNextReply { get; set; }

    public async Task<ReportOutcome> ReportAsync(string checkId, string site, ReportLabel label, DateTimeOffset at, string entryId, CancellationToken cancellationToken)
    {
        Gate();
        var outcome = await inner.ReportAsync(checkId, site, label, at, entryId, cancellationToken);
        if (LoseNextReply)
        {
            LoseNextReply = false;
            throw new StoreUnavailableException("test: reply lost");
        }

        return outcome;
    }
}

internal sealed class FlakyExampleStore(JsonlLabelledExampleStore inner) : Flaky, ILabelledExampleStore
{
    public JsonlLabelledExampleStore Inner => inner;

    public Task AppendAsync(LabelledExample example, CancellationToken cancellationToken)
    {
        Gate();
        return inner.AppendAsync(example, cancellationToken);
    }

    public IAsyncEnumerable<LabelledExample> ReadAllAsync(CancellationToken cancellationToken) => inner.ReadAllAsync(cancellationToken);

    public Task<long> EraseAsync(IReadOnlySet<string> pseudonyms, CancellationToken cancellationToken)
    {
        Gate();
        return inner.EraseAsync(pseudonyms, cancellationToken);
    }

    public Task<long> RemoveCheckAsync(string checkId, CancellationToken cancellationToken)
    {
        Gate();
        return inner.RemoveCheckAsync(checkId, cancellationToken);
    }
}

/// <summary>Keeps every log entry, to assert what is logged at which level.</summary>
internal sealed class ListLogger<T> : Microsoft.Extensions.Logging.ILogger<T>
{
    public List<(Microsoft.Extensions.Logging.LogLevel Level, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Entries)
        {
            Entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
