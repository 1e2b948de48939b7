using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Embedded.Tests;

public sealed class SqliteReputationSnapshotsTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private const string Blog = "https://blog.example/";
    private static readonly ReputationSubject Ip = new(SubjectKind.Ip, "ip:AAAAAAAAAAAAAAAAAAAAAA");
    private static readonly ReputationSubject Email = new(SubjectKind.Email, "em:ERASEMEERASEMEERASEME");

    private readonly TempDirectory _directory = new();
    private readonly SettableTime _time = new(Noon);

    public void Dispose() => _directory.Dispose();

    private (InProcessReputationStore Store, ReputationSnapshotWriter Writer, SqliteReputationSnapshots Snapshots) Open()
    {
        var snapshots = new SqliteReputationSnapshots(new SqliteDatabase(_directory.File("state.db")));
        var store = new InProcessReputationStore(_time, trackChanges: true);
        snapshots.LoadInto(store, _time.GetUtcNow());
        return (store, new ReputationSnapshotWriter(store, snapshots, _time, NullLogger<ReputationSnapshotWriter>.Instance), snapshots);
    }

    [Fact]
    public async Task Reputation_SurvivesReopeningTheFile()
    {
        // Arrange
        var (store, writer, _) = Open();
        await store.RecordCheckAsync([Ip, Email], Blog, true, Noon.AddMinutes(-4), CancellationToken.None);
        await store.RecordReportAsync([Ip], Blog, ReportLabel.Spam, Noon.AddMinutes(-1), null, "entry-1", CancellationToken.None);
        await store.RecordReportAsync([Ip], "https://other.example/", ReportLabel.Ham, Noon.AddMinutes(-1), null, "entry-2", CancellationToken.None);
        var before = await store.ReadAsync([Ip, Email], Blog, Noon, CancellationToken.None);

        // Act
        Assert.Equal(2, writer.Flush());
        var (reopened, _, snapshots) = Open();
        var after = await reopened.ReadAsync([Ip, Email], Blog, Noon, CancellationToken.None);

        // Assert
        Assert.Equal(2, snapshots.Count());
        Assert.Equal(before.Select(r => r.Counts), after.Select(r => r.Counts));
        Assert.Equal(1, after[0].Count(ReputationCounter.SpamReports, ReputationWindow.Last30Days));
        Assert.Equal(ReportLabel.Ham, Assert.Single(after[0].OtherSites).Label);
    }

    [Fact]
    public async Task AnErasedSubject_LeavesNoCopyOfItsPseudonymInTheFiles()
    {
        // Arrange
        var (store, writer, snapshots) = Open();
        await store.RecordCheckAsync([Ip, Email], Blog, false, Noon, CancellationToken.None);
        writer.Flush();
        Assert.True(FilesContain(Email.Pseudonym));

        // Act
        await store.EraseAsync([Email], CancellationToken.None);
        writer.Flush();

        // Assert
        Assert.Equal(1, snapshots.Count());
        Assert.False(FilesContain(Email.Pseudonym));
        Assert.True(FilesContain(Ip.Pseudonym));
    }

    [Fact]
    public async Task EntriesIdleLongerThanTheRetention_AreNotLoaded_AndLeaveTheFile()
    {
        var (store, writer, _) = Open();
        await store.RecordCheckAsync([Ip], Blog, false, Noon, CancellationToken.None);
        writer.Flush();

        _time.Now = Noon + ReputationWindows.Retention + TimeSpan.FromDays(1);
        var (reopened, _, snapshots) = Open();

        Assert.True((await reopened.ReadAsync([Ip], Blog, _time.Now, CancellationToken.None))[0].Counts.IsEmpty);
        Assert.Equal(0, snapshots.Count());
    }

    [Fact]
    public async Task TheWriterFlushesAtAGracefulStop()
    {
        var (store, writer, _) = Open();
        await writer.StartAsync(CancellationToken.None);
        await store.RecordCheckAsync([Ip], Blog, false, Noon, CancellationToken.None);

        await writer.StopAsync(CancellationToken.None);
        var (reopened, _, _) = Open();

        Assert.Equal(1, (await reopened.ReadAsync([Ip], Blog, Noon, CancellationToken.None))[0].Count(ReputationCounter.Checks, ReputationWindow.LastHour));
    }

    private bool FilesContain(string text)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var needle = Encoding.UTF8.GetBytes(text);
        return Directory.EnumerateFiles(_directory.Path).Any(file => File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0);
    }
}
