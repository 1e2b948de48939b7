using System.Net;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Tests;

public sealed class ErasureServiceTests : IDisposable
{
    private readonly FeedbackHarness _h = new(new FixedContributionModel("fixed-1", new Thresholds(0.5, 0.99), -2.0));

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Erase_CountsPerStore_AndTheAuditLogNeverHoldsTheValue()
    {
        var comment = TestComments.With("reported words") with { AuthorEmail = "victim@mail.example", UserIp = IPAddress.Parse("198.51.100.23") };
        var check = await _h.Checks.CheckAsync(comment, CancellationToken.None);
        await _h.Feedback.ReportAsync(new FeedbackReport(ReportLabel.Spam, comment.Site.ToString(), check.CheckId, null), CancellationToken.None);
        var log = new ListLogger<ErasureService>();
        var erasure = new ErasureService(_h.Reputation, _h.Records, _h.Examples, _h.Pseudonyms, log);

        var result = await erasure.EraseAsync(new ErasureRequest("Victim@Mail.example", null, null), CancellationToken.None);

        Assert.Equal(new ErasureResult(1, 1, 1), result);
        var audit = Assert.Single(log.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, audit.Level);
        Assert.Contains("e-mail address", audit.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("victim", audit.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_h.Pseudonyms.Email("victim@mail.example"), audit.Message, StringComparison.Ordinal);
        Assert.Empty(await _h.ExamplesAsync());
    }

    [Fact]
    public async Task Erase_WithNothingToErase_IsAnArgumentError()
    {
        var erasure = new ErasureService(_h.Reputation, _h.Records, _h.Examples, _h.Pseudonyms, new ListLogger<ErasureService>());

        await Assert.ThrowsAsync<ArgumentException>(() => erasure.EraseAsync(new ErasureRequest(null, null, null), CancellationToken.None));
    }
}
