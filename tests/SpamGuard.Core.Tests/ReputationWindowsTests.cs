using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Tests;

public sealed class ReputationWindowsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, long> Record(params (ReputationCounter Counter, DateTimeOffset At)[] events)
    {
        var buckets = new Dictionary<string, long>();
        foreach (var (counter, at) in events)
        {
            foreach (var field in ReputationWindows.FieldsToIncrement(counter, at))
            {
                buckets[field] = buckets.GetValueOrDefault(field) + 1;
            }
        }

        return buckets;
    }

    [Fact]
    public void Event_CountsInEveryWindowThatCoversIt()
    {
        var buckets = Record((ReputationCounter.SpamReports, Noon.AddMinutes(-10)));

        Assert.Equal(1, WindowCounts.FromFields(buckets, Noon)[ReputationCounter.SpamReports, ReputationWindow.LastHour]);
        Assert.Equal(1, WindowCounts.FromFields(buckets, Noon)[ReputationCounter.SpamReports, ReputationWindow.LastDay]);
        Assert.Equal(1, WindowCounts.FromFields(buckets, Noon)[ReputationCounter.SpamReports, ReputationWindow.Last30Days]);
        Assert.Equal(0, WindowCounts.FromFields(buckets, Noon)[ReputationCounter.HamReports, ReputationWindow.Last30Days]);
    }

    [Theory]
    [InlineData(90, 0, 1, 1)]        // an hour and a half ago: out of the hour, in the day
    [InlineData(60 * 30, 0, 0, 1)]   // 30 hours ago: only in the 30 days
    [InlineData(60 * 24 * 32, 0, 0, 0)] // 32 days ago: in no window
    public void OldEvents_LeaveTheShorterWindows(int minutesAgo, long hour, long day, long month)
    {
        var buckets = Record((ReputationCounter.Checks, Noon.AddMinutes(-minutesAgo)));

        Assert.Equal(hour, WindowCounts.FromFields(buckets, Noon)[ReputationCounter.Checks, ReputationWindow.LastHour]);
        Assert.Equal(day, WindowCounts.FromFields(buckets, Noon)[ReputationCounter.Checks, ReputationWindow.LastDay]);
        Assert.Equal(month, WindowCounts.FromFields(buckets, Noon)[ReputationCounter.Checks, ReputationWindow.Last30Days]);
    }

    [Fact]
    public void Window_SpansItsLengthPlusAtMostOneBucket()
    {
        // Exactly 65 minutes ago is outside "last hour" even with the partly filled current bucket (5 minutes).
        var buckets = Record((ReputationCounter.Checks, Noon.AddMinutes(-65)), (ReputationCounter.Checks, Noon.AddMinutes(-55)));

        Assert.Equal(1, WindowCounts.FromFields(buckets, Noon)[ReputationCounter.Checks, ReputationWindow.LastHour]);
    }

    [Fact]
    public void Fields_OlderThanEveryWindow_AreExpired_AndOthersAreNot()
    {
        var old = ReputationWindows.FieldsToIncrement(ReputationCounter.Checks, Noon.AddDays(-31)).ToList();
        var recent = ReputationWindows.FieldsToIncrement(ReputationCounter.Checks, Noon.AddMinutes(-1)).ToList();

        Assert.All(old, f => Assert.True(ReputationWindows.IsExpired(f, Noon), f));
        Assert.All(recent, f => Assert.False(ReputationWindows.IsExpired(f, Noon), f));
        Assert.True(ReputationWindows.IsExpired("garbage", Noon));
    }

    [Fact]
    public void EachCounter_HasItsOwnFields()
    {
        var fields = Enum.GetValues<ReputationCounter>().SelectMany(c => ReputationWindows.FieldsToIncrement(c, Noon)).ToList();

        Assert.Equal(fields.Count, fields.Distinct().Count());
        Assert.Equal(Enum.GetValues<ReputationCounter>().Length * 3, fields.Count);
    }
}
