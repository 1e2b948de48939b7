using SpamGuard.Server.Tests.Infrastructure;
using SpamGuard.Server.Tests.TestDoubles;
using SpamGuard.Testing;

namespace SpamGuard.Server.Tests.Functional;

/// <summary>
/// The privacy page in a real browser (headless Debian Chromium) served by a running server: what a person reads,
/// that an operator name carrying a script is shown as text and never runs, and a phone-sized screenshot kept as a
/// test artifact (browser-artifacts/privacy-page.png beside the test assembly).
/// </summary>
public sealed class PrivacyPageBrowserTests
{
    private const string Payload = "<script>document.title='pwned';document.body.setAttribute('data-pwned','1')</script>";

    [Fact]
    public async Task Chromium_ShowsThePageAsText_AndRunsNoScriptFromTheOperatorName()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel(),
            $"--Privacy:OperatorName=Ann {Payload}", "--Privacy:OperatorContact=privacy@blog.example", "--Feedback:CheckRetentionDays=5");
        var url = new Uri($"http://127.0.0.1:{host.HttpPort}/privacy");

        var dom = await HeadlessChromium.DumpDomAsync(url);
        var screenshot = Path.Combine(AppContext.BaseDirectory, "browser-artifacts", "privacy-page.png");
        if (File.Exists(screenshot))
        {
            File.Delete(screenshot);
        }

        await HeadlessChromium.ScreenshotAsync(url, screenshot, width: 412, height: 1400);

        // What a person reads.
        Assert.Contains("<title>How your comment data is processed</title>", dom, StringComparison.Ordinal);
        Assert.Contains("<h1>How your comment data is processed</h1>", dom, StringComparison.Ordinal);
        Assert.Contains("Kept with the check record, so that only this site can report the check", dom, StringComparison.Ordinal);
        Assert.Contains(">5 days</td>", dom, StringComparison.Ordinal);
        Assert.Contains("Learn how your comment data is processed", dom, StringComparison.Ordinal);
        // The name is text: the browser's DOM holds it escaped, and the script in it did not run.
        Assert.Contains("Ann &lt;script&gt;document.title='pwned'", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", dom, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("<body[^>]*data-pwned", dom);
        Assert.DoesNotContain("<title>pwned", dom, StringComparison.Ordinal);
        // A real PNG of a phone-sized viewport.
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 10_000, $"screenshot of {png.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(412, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);
    }

    [Fact]
    public async Task Chromium_ShowsAChecksReceipt()
    {
        await using var host = await SpamGuardHost.StartAsync(new KeywordTestModel());
        var request = Requests.Complete("cheap pills");
        request.IsTest = false;
        var check = await new Contracts.V1.CommentFilter.CommentFilterClient(host.Channel).CheckCommentAsync(request, deadline: SpamGuardHost.Deadline);
        var url = new Uri($"http://127.0.0.1:{host.HttpPort}/privacy/receipt/{check.CheckId}");

        var dom = await HeadlessChromium.DumpDomAsync(url);
        var screenshot = Path.Combine(AppContext.BaseDirectory, "browser-artifacts", "receipt.png");
        await HeadlessChromium.ScreenshotAsync(url, screenshot, width: 412, height: 1400);

        Assert.Contains("<h1>Receipt for a comment check</h1>", dom, StringComparison.Ordinal);
        Assert.Contains(check.CheckId, dom, StringComparison.Ordinal);
        Assert.Contains("Spam (spam probability", dom, StringComparison.Ordinal);
        Assert.Contains(check.Explanation.Processing.Single(p => p.Field == "user_ip").Pseudonyms[0], dom, StringComparison.Ordinal);
        Assert.DoesNotContain(request.UserIp, dom, StringComparison.Ordinal);
        Assert.DoesNotContain(request.AuthorEmail, dom, StringComparison.Ordinal);
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }
}
