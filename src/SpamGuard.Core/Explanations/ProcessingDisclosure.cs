using System.Collections.Concurrent;
using SpamGuard.Core.Comments;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Explanations;

/// <summary>
/// States, per submitted field, what this version of the scoring path did with it. Kept next to the code that
/// reads the fields so it changes with them. The entries for what is only read are immutable and shared; the
/// entries for what was stored are built from <see cref="StoredData"/>, the record of what this check actually wrote,
/// so the disclosure cannot claim more or less than happened.
/// </summary>
public static class ProcessingDisclosure
{
    private const string NotRead = "Accepted for Akismet compatibility; not read by this version.";

    private static readonly FieldProcessing Site = Used("site", "Validated as the calling site's address; not used to score.");
    private static readonly FieldProcessing UserAgent = Ignored("user_agent");
    private static readonly FieldProcessing Referrer = Ignored("referrer");
    private static readonly FieldProcessing Permalink = Used("permalink", "Validated as an absolute URL; not used to score.");
    private static readonly FieldProcessing CommentType = Ignored("comment_type");
    private static readonly FieldProcessing Author = Used("author",
        "Scored by the model through the name's shape only (digits, a link, all capitals, length); the name itself is not a feature.");
    private static readonly FieldProcessing AuthorEmail = Used("author_email",
        "Scored by the model through the domain after '@' only.");
    private static readonly FieldProcessing AuthorUrl = Used("author_url", "Scored by the model through its host name.");
    private static readonly FieldProcessing Content = Used("content",
        "Scored by the model: words and two-word phrases, character sequences, the hosts of links, style statistics (capitals, digits, length), and spam cues (a short code or premium-rate number, a price, prize words, opt-out instructions, self-promotion).");
    private static readonly FieldProcessing CommentDate = Ignored("comment_date");
    private static readonly FieldProcessing PostModifiedDate = Ignored("post_modified_date");
    private static readonly FieldProcessing SiteLanguages = Ignored("site_languages");
    private static readonly FieldProcessing Charset = Ignored("charset");
    private static readonly FieldProcessing UserRole = Used("user_role", "Rule: comments by an administrator are always ham (as in Akismet).");
    private static readonly FieldProcessing IsTest = Used("is_test", "Marks a test call: scored as usual, nothing is learned or stored.");
    private static readonly FieldProcessing Honeypot = Used("honeypot",
        "Rule: a filled hidden field marks an automated submission. Only whether it was filled is read.");
    private static readonly FieldProcessing ClientSignals = Used("client_signals",
        "Rule: a form submitted faster than a person can type, or without JavaScript, counts toward spam.");

    // The texts of stored fields depend only on how the stores were used and on retentions, which come from
    // configuration: built once per combination instead of concatenating about 5 KB of sentences per check.
    private static readonly ConcurrentDictionary<PurposeKey, string> Purposes = new();
    private const int MaxCachedPurposes = 256;

    private readonly record struct PurposeKey(string Field, ReputationUse Reputation, TimeSpan ReputationRetention, TimeSpan CheckRecordRetention)
    {
        public static PurposeKey Of(string field, StoredData stored) =>
            new(field, stored.Reputation, stored.ReputationRetention, stored.CheckRecordRetention);
    }

    private static string Purpose<TState>(string field, StoredData stored, TState state, Func<StoredData, TState, string> build)
    {
        var key = PurposeKey.Of(field, stored);
        if (Purposes.TryGetValue(key, out var purpose))
        {
            return purpose;
        }

        purpose = build(stored, state);
        if (Purposes.Count < MaxCachedPurposes)
        {
            Purposes.TryAdd(key, purpose);
        }

        return purpose;
    }

    /// <summary>The disclosure of a check that consulted and stored nothing (scoring outside the service).</summary>
    public static IReadOnlyList<FieldProcessing> For(Comment comment) => For(comment, StoredData.None);

    public static IReadOnlyList<FieldProcessing> For(Comment comment, StoredData stored)
    {
        ArgumentNullException.ThrowIfNull(comment);
        ArgumentNullException.ThrowIfNull(stored);
        var entries = new List<FieldProcessing>(18) { stored.CheckRecordSaved ? StoredSite(stored) : Site };
        AddIf(entries, comment.UserIp is not null, () => Personal(stored, "user_ip", "Checked to be a valid IP address.",
            "a keyed pseudonym (HMAC) of the address and of its network (/24 for IPv4, /64 for IPv6)", SubjectKind.Ip, SubjectKind.Network));
        AddIf(entries, comment.UserAgent.Length > 0, UserAgent);
        AddIf(entries, comment.Referrer.Length > 0, Referrer);
        AddIf(entries, comment.Permalink is not null, Permalink);
        entries.Add(CommentType);
        AddIf(entries, comment.Author.Length > 0, () => stored.CheckRecordSaved
            ? Author with
            {
                Purpose = Purpose("author", stored, 0, static (stored, _) =>
                    Author.Purpose + $" The shape (not the name) is kept with the check record for {RetentionText.Describe(stored.CheckRecordRetention)} for retraining."),
            }
            : Author);
        AddIf(entries, comment.AuthorEmail.Length > 0, () => Personal(stored, "author_email", AuthorEmail.Purpose,
            "a keyed pseudonym (HMAC) of the whole address", SubjectKind.Email));
        AddIf(entries, comment.AuthorUrl is not null, () => Personal(stored, "author_url", AuthorUrl.Purpose,
            "a keyed pseudonym (HMAC) of its host", SubjectKind.AuthorHost));
        entries.Add(StoredContent(stored));
        AddIf(entries, comment.CommentDate is not null, CommentDate);
        AddIf(entries, comment.PostModifiedDate is not null, PostModifiedDate);
        AddIf(entries, comment.SiteLanguages.Count > 0, SiteLanguages);
        AddIf(entries, comment.Charset.Length > 0, Charset);
        AddIf(entries, comment.UserRole.Length > 0, UserRole);
        AddIf(entries, comment.IsTest, IsTest);
        AddIf(entries, comment.Honeypot is not null, Honeypot);
        AddIf(entries, comment.ClientSignals.TimeToSubmit is not null || comment.ClientSignals.JavaScriptRan is not null, ClientSignals);
        return entries;
    }

    private static FieldProcessing StoredSite(StoredData stored) =>
        new("site", "Kept with the check record, so that only this site can report the check; not used to score.", DataHandling.Stored, stored.CheckRecordRetention);

    /// <summary>An IP, e-mail address or URL: read for scoring, and kept only as the keyed pseudonyms reputation uses.</summary>
    private static FieldProcessing Personal(StoredData stored, string field, string scoring, string underWhat, params SubjectKind[] kinds)
    {
        var (pseudonyms, retention) = stored.Stored(kinds);
        if (pseudonyms.Count > 0)
        {
            var purpose = Purpose(field + "/stored", stored, (scoring, underWhat), static (stored, texts) =>
            {
                var where = stored.Reputation == ReputationUse.Recorded
                    ? $" Reputation: this check is counted under {texts.underWhat} for {RetentionText.Describe(stored.ReputationRetention)} after the last activity."
                    : "";
                var record = stored.CheckRecordSaved ? $" The check record keeps the same pseudonyms for {RetentionText.Describe(stored.CheckRecordRetention)}." : "";
                return texts.scoring + where + record + " The value itself is not kept.";
            });
            return new FieldProcessing(field, purpose, DataHandling.StoredPseudonymised, retention)
            {
                Pseudonyms = pseudonyms,
            };
        }

        return Used(field, Purpose(field + "/not-stored", stored, (scoring, underWhat), static (stored, texts) => texts.scoring + NotStored(stored, texts.underWhat)));
    }

    private static string NotStored(StoredData stored, string underWhat) => stored.Reputation switch
    {
        ReputationUse.ReadOnly => $" Reputation: looked up under {underWhat}; nothing was stored (test call).",
        ReputationUse.Unavailable => " Not stored: the reputation store did not answer in time, so reputation was not used.",
        _ => " No reputation store was consulted.",
    };

    private static FieldProcessing StoredContent(StoredData stored)
    {
        var (pseudonyms, retention) = stored.Stored(SubjectKind.LinkHost, SubjectKind.Content);
        var counted = stored.Reputation == ReputationUse.Recorded && pseudonyms.Count > 0;
        if (!stored.CheckRecordSaved)
        {
            return !counted
                ? Content
                : new FieldProcessing("content", Purpose("content/counted", stored, 0, static (stored, _) => Content.Purpose + Counted(stored)), DataHandling.StoredPseudonymised, retention)
                {
                    Pseudonyms = pseudonyms,
                };
        }

        var purpose = Purpose(counted ? "content/counted/kept" : "content/kept", stored, counted, static (stored, counted) =>
            Content.Purpose + (counted ? Counted(stored) : "")
            + $" The text is kept with the check record for {RetentionText.Describe(stored.CheckRecordRetention)}, with e-mail and IP addresses in it masked, so that a report of this check can make it a training example.");
        return new FieldProcessing("content", purpose, DataHandling.Stored, retention > stored.CheckRecordRetention ? retention : stored.CheckRecordRetention)
        {
            Pseudonyms = pseudonyms,
        };
    }

    private static string Counted(StoredData stored) =>
        $" Reputation: the hosts of its links and a fingerprint that matches near-copies of the text are counted under keyed pseudonyms for {RetentionText.Describe(stored.ReputationRetention)}.";

    private static void AddIf(List<FieldProcessing> entries, bool submitted, Func<FieldProcessing> entry)
    {
        if (submitted)
        {
            entries.Add(entry());
        }
    }

    private static void AddIf(List<FieldProcessing> entries, bool submitted, FieldProcessing entry)
    {
        if (submitted)
        {
            entries.Add(entry);
        }
    }

    private static FieldProcessing Used(string field, string purpose) =>
        new(field, purpose, DataHandling.UsedInMemoryDiscarded, TimeSpan.Zero);

    private static FieldProcessing Ignored(string field) =>
        new(field, NotRead, DataHandling.IgnoredDiscarded, TimeSpan.Zero);
}
