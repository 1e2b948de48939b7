using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SpamGuard.Contracts.V1;
using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>What the server logs: check outcomes by id, never the commenter's personal data above Debug.</summary>
public sealed class LoggingTests
{
    [Fact]
    public async Task CheckComment_LogsOutcomeButNoPersonalDataAboveDebug()
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        await using var host = await SpamGuardHost.StartAsync(
            new KeywordTestModel(), services => services.AddSingleton<ILoggerProvider>(logs), "--Logging:LogLevel:Default=Debug");
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        var request = Requests.Complete("cheap pills from Zyxwvut-unique-content-marker");
        request.Author = "Qwerty Unique-Author-Name";

        // Act
        var response = await client.CheckCommentAsync(request, deadline: SpamGuardHost.Deadline);
        await client.CheckCommentAsync(new CheckCommentRequest { Site = "nope", UserIp = "1.2.3" }, deadline: SpamGuardHost.Deadline)
            .ResponseAsync.ContinueWith(static _ => { }, TaskScheduler.Default);

        // Assert
        var outcome = Assert.Single(logs.Entries, e => e.EventId.Id == 4001);
        Assert.Equal(LogLevel.Debug, outcome.Level);
        Assert.Contains(response.CheckId, outcome.Message, StringComparison.Ordinal);
        Assert.Contains(KeywordTestModel.TestVersion, outcome.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 4003 && e.Message.Contains("site", StringComparison.Ordinal));

        string[] personal = ["Zyxwvut-unique-content-marker", "Unique-Author-Name", request.UserIp, request.AuthorEmail, "1.2.3"];
        Assert.All(logs.Entries.Where(e => e.Level > LogLevel.Debug), e =>
            Assert.DoesNotContain(personal, p => e.Message.Contains(p, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CheckAndReport_AtShippedLevels_LogNothingPerCall()
    {
        // Arrange: the levels of appsettings.json; a flood of checks must not become a flood of log lines.
        var logs = new CapturingLoggerProvider();
        await using var host = await SpamGuardHost.StartAsync(
            new KeywordTestModel(), services => services.AddSingleton<ILoggerProvider>(logs),
            "--Logging:LogLevel:Default=Information", "--Logging:LogLevel:Microsoft.AspNetCore=Warning");
        var client = new CommentFilter.CommentFilterClient(host.Channel);
        var before = logs.Entries.Count;

        // Act
        // Not test calls: those are not kept, and the report below needs a kept check.
        var check = await client.CheckCommentAsync(Requests.WithContent("cheap pills"), deadline: SpamGuardHost.Deadline);
        await client.CheckCommentAsync(Requests.Complete("a kind word about the post"), deadline: SpamGuardHost.Deadline);
        await client.SubmitSpamAsync(new SubmitFeedbackRequest { Site = Requests.Site, CheckId = check.CheckId }, deadline: SpamGuardHost.Deadline);

        // Assert
        Assert.DoesNotContain(logs.Entries.Skip(before), e => e.Level > LogLevel.Debug);
    }

    [Fact]
    public async Task Health_WhileModelLoads_LogsNoErrors()
    {
        // The health publisher polls every second; a loading model is expected and must not look like an outage.
        var logs = new CapturingLoggerProvider();
        await using var host = await SpamGuardHost.StartAsync(
            model: null, services => services.AddSingleton<ILoggerProvider>(logs), "--Logging:LogLevel:Default=Debug");

        var health = new Grpc.Health.V1.Health.HealthClient(host.Channel);
        await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), deadline: SpamGuardHost.Deadline);

        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }
}
