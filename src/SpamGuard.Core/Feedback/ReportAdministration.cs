using System.Globalization;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Feedback;

/// <summary>Reports of one UTC day.</summary>
public sealed record FeedbackDay(DateOnly Day, long Spam, long Ham);

/// <summary>The reports retraining would read now: the latest per check.</summary>
public sealed record FeedbackStats(long Spam, long Ham, IReadOnlyList<FeedbackDay> Days);

/// <summary>
/// What an admin does with the reports retraining reads: count them, correct one's label, or delete it (unlearning).
/// Corrections are appended (the store keeps the latest per check); deletions remove every entry of the check, so the
/// next retrain has nothing of it. Reputation counts are not changed: they age out on their own windows.
/// </summary>
public sealed class ReportAdministration(ILabelledExampleStore examples, TimeProvider time)
{
    public async Task<FeedbackStats> StatsAsync(CancellationToken cancellationToken)
    {
        var latest = await examples.LatestPerCheck(cancellationToken);
        var days = latest
            .GroupBy(e => DateOnly.FromDateTime(e.ReportedAt.UtcDateTime))
            .OrderBy(g => g.Key)
            .Select(g => new FeedbackDay(g.Key, g.LongCount(e => e.Label == ReportLabel.Spam), g.LongCount(e => e.Label == ReportLabel.Ham)))
            .ToList();
        return new FeedbackStats(days.Sum(d => d.Spam), days.Sum(d => d.Ham), days);
    }

    /// <summary>Sets the label the next retrain uses for the check; returns 1 when it changed, 0 when it was already so.</summary>
    /// <exception cref="CheckNotFoundException">No report of the check is kept.</exception>
    public async Task<long> CorrectAsync(string checkId, ReportLabel label, CancellationToken cancellationToken)
    {
        var current = (await examples.LatestPerCheck(cancellationToken)).FirstOrDefault(e => e.CheckId == checkId)
            ?? throw new CheckNotFoundException($"No report of check {checkId} is kept.");
        if (current.Label == label)
        {
            return 0;
        }

        await examples.AppendAsync(current with
        {
            EntryId = "admin-" + Guid.NewGuid().ToString("N"),
            Label = label,
            ReportedAt = time.GetUtcNow(),
        }, cancellationToken);
        return 1;
    }

    /// <summary>Removes every report of the check; returns how many entries went.</summary>
    /// <exception cref="CheckNotFoundException">No report of the check is kept.</exception>
    public async Task<long> DeleteAsync(string checkId, CancellationToken cancellationToken)
    {
        var removed = await examples.RemoveCheckAsync(checkId, cancellationToken);
        return removed > 0 ? removed : throw new CheckNotFoundException(string.Create(CultureInfo.InvariantCulture, $"No report of check {checkId} is kept."));
    }
}
