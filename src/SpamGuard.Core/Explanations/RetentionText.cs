using System.Globalization;

namespace SpamGuard.Core.Explanations;

/// <summary>Retention in words, one wording for the explanation, receipts and the privacy page.</summary>
public static class RetentionText
{
    /// <summary>"not stored" for zero, else the largest whole unit ("7 days", "12 hours").</summary>
    public static string Describe(TimeSpan retention)
    {
        if (retention <= TimeSpan.Zero)
        {
            return "not stored";
        }

        return retention switch
        {
            { TotalDays: >= 1 } when retention.TotalDays % 1 == 0 => Plural((long)retention.TotalDays, "day"),
            { TotalHours: >= 1 } when retention.TotalHours % 1 == 0 => Plural((long)retention.TotalHours, "hour"),
            { TotalMinutes: >= 1 } when retention.TotalMinutes % 1 == 0 => Plural((long)retention.TotalMinutes, "minute"),
            _ => Plural((long)Math.Ceiling(retention.TotalSeconds), "second"),
        };
    }

    private static string Plural(long count, string unit) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + unit + (count == 1 ? "" : "s");
}
