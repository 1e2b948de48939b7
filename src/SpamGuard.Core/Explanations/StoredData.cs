using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Explanations;

/// <summary>How a check used the reputation store.</summary>
public enum ReputationUse
{
    /// <summary>No reputation store is involved (scoring outside the service, e.g. the CLI).</summary>
    NotConsulted,

    /// <summary>Looked up, nothing written (a test call).</summary>
    ReadOnly,

    /// <summary>The store did not answer in time; the verdict rests on the model and rules.</summary>
    Unavailable,

    /// <summary>Looked up, and this check was counted.</summary>
    Recorded,
}

/// <summary>What one check did with the stores, so the disclosure says exactly that and nothing more.</summary>
/// <param name="Reputation">How reputation was used.</param>
/// <param name="ReputationSubjects">The subjects counted (for <see cref="ReputationUse.Recorded"/>) or looked up.</param>
/// <param name="ReputationRetention">How long a reputation entry lives after its last write.</param>
/// <param name="CheckRecordRetention">How long the check record is kept; zero when none was saved.</param>
public sealed record StoredData(
    ReputationUse Reputation,
    IReadOnlyList<ReputationSubject> ReputationSubjects,
    TimeSpan ReputationRetention,
    TimeSpan CheckRecordRetention)
{
    /// <summary>Nothing was looked up or stored.</summary>
    public static StoredData None { get; } = new(ReputationUse.NotConsulted, [], TimeSpan.Zero, TimeSpan.Zero);

    public bool CheckRecordSaved => CheckRecordRetention > TimeSpan.Zero;

    /// <summary>Pseudonyms of <paramref name="kinds"/> that were stored (in reputation or in the check record, which
    /// keeps the same subjects), and the longest time any of them is kept.</summary>
    internal (IReadOnlyList<string> Pseudonyms, TimeSpan Retention) Stored(params SubjectKind[] kinds)
    {
        var counted = Reputation == ReputationUse.Recorded;
        if (!counted && !CheckRecordSaved)
        {
            return ([], TimeSpan.Zero);
        }

        // A loop rather than LINQ: this runs for four fields of every check, over a dozen subjects.
        List<string>? pseudonyms = null;
        foreach (var subject in ReputationSubjects)
        {
            if (Array.IndexOf(kinds, subject.Kind) >= 0 && (pseudonyms is null || !pseudonyms.Contains(subject.Pseudonym, StringComparer.Ordinal)))
            {
                (pseudonyms ??= new List<string>(4)).Add(subject.Pseudonym);
            }
        }

        if (pseudonyms is null)
        {
            return ([], TimeSpan.Zero);
        }

        var reputation = counted ? ReputationRetention : TimeSpan.Zero;
        return (pseudonyms, reputation > CheckRecordRetention ? reputation : CheckRecordRetention);
    }
}
