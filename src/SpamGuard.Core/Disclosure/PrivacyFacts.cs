using System.Globalization;
using System.Net;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Disclosure;

/// <summary>Everything the privacy page states, as data (the HTML page and /privacy.json render the same record).</summary>
public sealed record PrivacyFacts(
    string OperatorName,
    string OperatorContact,
    string LegalBasis,
    IReadOnlyList<FieldFact> Fields,
    IReadOnlyList<StoreFact> Stores,
    string Erasure,
    NoticeSnippet Snippet);

/// <summary>What happens to one submitted field in a normal (non-test) check.</summary>
public sealed record FieldFact(string Field, string Purpose, DataHandling Handling, TimeSpan Retention);

/// <summary>One place data is kept: what, under which key or pseudonym, where, and for how long.</summary>
/// <param name="MaxEntries">The most entries kept, when a cap removes the oldest before their retention ends.</param>
public sealed record StoreFact(string Name, string Holds, string KeyedBy, string Location, TimeSpan? Retention, string RetentionNote, long? MaxEntries = null);

/// <summary>The notice a blog pastes under its comment form.</summary>
public sealed record NoticeSnippet(string Html, string Text);

/// <summary>
/// Builds the privacy facts from the live configuration and the same code that writes each check's disclosure
/// (<see cref="ProcessingDisclosure"/>), so the page cannot say something the service does not do: change a
/// retention option and the page changes with it.
/// </summary>
public static class PrivacyFactsBuilder
{
    // Placeholder values that only select which disclosure entries apply; none of them is shown on the page.
    private static readonly Comment EveryField = new()
    {
        Site = new Uri("https://blog.invalid/"),
        UserIp = IPAddress.Parse("192.0.2.1"),
        UserAgent = "-",
        Referrer = "-",
        Permalink = new Uri("https://blog.invalid/post"),
        Author = "-",
        AuthorEmail = "a@b.invalid",
        AuthorUrl = new Uri("https://a.invalid/"),
        Content = "-",
        CommentDate = DateTimeOffset.UnixEpoch,
        PostModifiedDate = DateTimeOffset.UnixEpoch,
        SiteLanguages = ["-"],
        Charset = "-",
        UserRole = "-",
        IsTest = false,
        Honeypot = new Honeypot("-", ""),
        ClientSignals = new ClientSignals(TimeSpan.FromSeconds(1), true),
    };

    private static readonly ReputationSubject[] EveryKind =
    [
        new(SubjectKind.Ip, "ip:-"), new(SubjectKind.Network, "net:-"), new(SubjectKind.Email, "email:-"),
        new(SubjectKind.AuthorHost, "host:-"), new(SubjectKind.LinkHost, "host:-"), new(SubjectKind.Content, "content:-"),
    ];

    /// <param name="sharedStore">Where shared data lives: "Redis" when configured, else in this process.</param>
    /// <param name="privacyUrl">The address of the privacy page, for the snippet: absolute when the operator configured
    /// the public address, else relative.</param>
    public static PrivacyFacts Build(PrivacyOptions privacy, FeedbackOptions feedback, ReputationOptions reputation, bool sharedStore, Uri privacyUrl)
    {
        ArgumentNullException.ThrowIfNull(privacy);
        ArgumentNullException.ThrowIfNull(feedback);
        ArgumentNullException.ThrowIfNull(reputation);
        ArgumentNullException.ThrowIfNull(privacyUrl);
        var stored = new StoredData(ReputationUse.Recorded, EveryKind, ReputationWindows.Retention, feedback.CheckRetention);
        var fields = ProcessingDisclosure.For(EveryField with { IsTest = false }, stored)
            .Select(p => new FieldFact(p.Field, p.Purpose, p.Handling, p.Retention))
            .ToList();
        var where = sharedStore ? "Redis, shared by the SpamGuard servers of this deployment" : "the memory of the SpamGuard process, copied every 30 seconds to a file on the SpamGuard server (under its data directory)";
        var stores = new List<StoreFact>
        {
            new("Reputation",
                "Counts of checks, spam verdicts, and spam and ham reports per IP address, its network, e-mail address, author website, linked domain and text fingerprint, in hourly, daily and 30-day windows",
                "Keyed pseudonyms (HMAC-SHA256 under a secret that never leaves the server); never the address itself",
                where, ReputationWindows.Retention,
                sharedStore
                    ? "after the last check or report that touched the entry"
                    : string.Create(CultureInfo.InvariantCulture, $"after the last check or report that touched the entry, or sooner once {reputation.MaxSubjects:N0} entries are kept (the least recently touched go first)"),
                sharedStore ? null : reputation.MaxSubjects),
            new("Check records",
                "What one check used: the site, the time, the pseudonyms above, the comment text with e-mail and IP addresses masked, the shape of the author's name, the verdict and its explanation (the words, phrases and linked domains that decided it; nothing from the author fields)",
                "The check id (random, 128 bits)",
                sharedStore ? where : "a file on the SpamGuard server (under its data directory)", feedback.CheckRetention,
                sharedStore
                    ? "after the check; a blog can report the check only within this time"
                    : string.Create(CultureInfo.InvariantCulture, $"after the check, or sooner once {feedback.MaxCheckRecords:N0} newer checks are kept (the oldest go first); a blog can report the check only within this time"),
                sharedStore ? null : feedback.MaxCheckRecords),
            new("Training examples",
                "Comments a blog reported as spam or not spam: the masked text, the shape of the author's name, the label, the site, the check id",
                "Report id",
                sharedStore ? "Redis (a stream), shared by the SpamGuard servers of this deployment" : "a file on the SpamGuard server",
                feedback.ExampleRetention,
                sharedStore ? "after the report" : "after the report (swept hourly)"),
            new("Usage counts",
                "Per site key, site and month: how many checks, spam and ham verdicts, and spam and ham reports; nothing about any commenter",
                "Site key id, month and site",
                sharedStore ? where : "a file on the SpamGuard server (under its data directory)", Keys.SiteUsageCounter.Retention,
                "after the month's last call"),
        };
        if (sharedStore)
        {
            stores.Add(new StoreFact("Report journal",
                "Reports received while Redis did not answer, until they are applied (the same data as a report)",
                "Report id", "a file on the SpamGuard server",
                null, "deleted as soon as Redis takes the reports (normally seconds to minutes)"));
        }

        var contact = string.IsNullOrWhiteSpace(privacy.OperatorContact) ? privacy.OperatorName : $"{privacy.OperatorName} ({privacy.OperatorContact})";
        var erasure = $"To have data about you erased before it expires, ask {contact}, giving the e-mail address, IP address or website you used. " +
            "The operator erases it with one command, which computes the same pseudonyms and deletes your reputation entries, the check records that name you " +
            "and your reported comments (so they are not used for retraining), and reports how many of each were removed. " +
            "A model already retrained from reports keeps weights of words and phrases, not comments or any pseudonym. " +
            "Otherwise every entry expires on its own after the time stated above.";
        var link = privacyUrl.IsAbsoluteUri ? privacyUrl.AbsoluteUri : privacyUrl.OriginalString;
        var snippet = new NoticeSnippet(
            $"<p class=\"spamguard-notice\">This site uses SpamGuard to reduce spam. <a href=\"{WebUtility.HtmlEncode(link)}\">Learn how your comment data is processed</a>.</p>",
            $"This site uses SpamGuard to reduce spam. Learn how your comment data is processed: {link}");
        return new PrivacyFacts(privacy.OperatorName, privacy.OperatorContact, privacy.LegalBasis, fields, stores, erasure, snippet);
    }
}
