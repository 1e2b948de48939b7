using SpamGuard.Core.Reputation;

namespace SpamGuard.Redis;

/// <summary>
/// How a subject's hash remembers which reports it has counted, so that a report applied again (its first reply was
/// lost after Redis had applied it, and the journal replays it) changes nothing: a field "applied:&lt;entry id&gt;" whose
/// value is the report's day. It is deleted with the other expired fields once older than the retention, when no
/// window counts that report any more.
/// </summary>
internal static class ReportClaims
{
    private const string Prefix = "applied:";
    private const long SecondsPerDay = 86_400;

    public static string Field(string entryId) => Prefix + entryId;

    public static bool IsClaim(string field) => field.StartsWith(Prefix, StringComparison.Ordinal);

    public static long Day(DateTimeOffset at) => at.ToUnixTimeSeconds() / SecondsPerDay;

    public static bool IsExpired(long day, DateTimeOffset now) => day <= Day(now) - (long)ReputationWindows.Retention.TotalDays;
}
