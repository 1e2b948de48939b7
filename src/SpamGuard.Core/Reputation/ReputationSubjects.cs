using SpamGuard.Core.Comments;
using SpamGuard.Core.Features;
using SpamGuard.Core.Privacy;

namespace SpamGuard.Core.Reputation;

/// <summary>Which reputations a comment is checked against and counted toward, each under its pseudonym.</summary>
public static class ReputationSubjects
{
    /// <summary>Link hosts looked up per comment: enough for real comments, and a comment with 10,000 links costs the
    /// store no more than one with ten.</summary>
    public const int MaxLinkHosts = 10;

    /// <param name="content">The comment's content as <see cref="TextNormalizer"/> normalised it (the caller has it
    /// already from extracting features): its link hosts, and the text the fingerprint is taken of.</param>
    /// <remarks>Content adds one subject per band of its <see cref="ContentFingerprint"/> when it is long enough.</remarks>
    public static IReadOnlyList<ReputationSubject> For(Comment comment, NormalizedContent content, Pseudonymizer pseudonyms)
    {
        ArgumentNullException.ThrowIfNull(comment);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(pseudonyms);
        var subjects = new List<ReputationSubject>(4 + MaxLinkHosts);
        if (comment.UserIp is { } ip)
        {
            subjects.Add(new ReputationSubject(SubjectKind.Ip, pseudonyms.Ip(ip)));
            subjects.Add(new ReputationSubject(SubjectKind.Network, pseudonyms.Network(ip)));
        }

        if (comment.AuthorEmail.Length > 0)
        {
            subjects.Add(new ReputationSubject(SubjectKind.Email, pseudonyms.Email(comment.AuthorEmail)));
        }

        if (comment.AuthorUrl is { } url && TextNormalizer.HostOf(url.OriginalString) is { } authorHost)
        {
            subjects.Add(new ReputationSubject(SubjectKind.AuthorHost, pseudonyms.Host(authorHost)));
        }

        foreach (var host in content.LinkHosts.Distinct(StringComparer.Ordinal).Take(MaxLinkHosts))
        {
            subjects.Add(new ReputationSubject(SubjectKind.LinkHost, pseudonyms.Host(host)));
        }

        // Band keys are hashes of min-hashes: nothing of the text can be read back from them.
        if (ContentFingerprint.Of(content.Text) is { } fingerprint)
        {
            subjects.AddRange(fingerprint.Bands().Select(band => new ReputationSubject(SubjectKind.Content, "content:" + band)));
        }

        return subjects;
    }
}
