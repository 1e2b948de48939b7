using System.Net;
using Microsoft.Extensions.Logging;
using SpamGuard.Core.Features;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Privacy;

/// <summary>Whose data to erase: exactly one of an e-mail address, an IP address or a website.</summary>
public sealed record ErasureRequest(string? Email, IPAddress? Ip, Uri? AuthorUrl);

/// <summary>How much each store removed, and what was done about copies still on disk.</summary>
public sealed record ErasureResult(long ReputationEntries, long CheckRecords, long LabelledExamples)
{
    public DiskCopyPurge DiskCopies { get; init; } = DiskCopyPurge.None;
}

/// <summary>
/// Erases everything held about one person. Nothing is stored under their raw values, so the request's value is
/// turned into the same pseudonyms the service stores under, and each store deletes what carries them: reputation
/// entries, check records that name them, and reported examples (so a later retrain does not use them). The /24 or /64
/// network of an IP is shared with other people and is kept. Deleted records can still be read from a store's
/// append-only log on disk until it is rewritten, so the rewrite is started next (<see cref="IDiskCopyPurger"/>) and
/// the result says so. The audit log names the kind of value and the counts, never the value.
/// </summary>
public sealed partial class ErasureService(
    IReputationStore reputation,
    ICheckRecordStore records,
    ILabelledExampleStore examples,
    Pseudonymizer pseudonyms,
    ILogger<ErasureService> logger,
    IDiskCopyPurger? diskCopies = null)
{
    /// <exception cref="StoreUnavailableException">A store did not answer; nothing is reported as erased, and the
    /// request can be repeated (erasing is idempotent).</exception>
    public async Task<ErasureResult> EraseAsync(ErasureRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (kind, subject) = request switch
        {
            { Email: { } email } => ("e-mail address", new ReputationSubject(SubjectKind.Email, pseudonyms.Email(email))),
            { Ip: { } ip } => ("IP address", new ReputationSubject(SubjectKind.Ip, pseudonyms.Ip(ip))),
            { AuthorUrl: { } url } when TextNormalizer.HostOf(url.OriginalString) is { } host => ("website", new ReputationSubject(SubjectKind.AuthorHost, pseudonyms.Host(host))),
            _ => throw new ArgumentException("An erasure needs an e-mail address, an IP address or a website with a host.", nameof(request)),
        };

        var set = new HashSet<string>(StringComparer.Ordinal) { subject.Pseudonym };
        var result = new ErasureResult(
            await reputation.EraseAsync([subject], cancellationToken),
            await records.EraseAsync(set, cancellationToken),
            await examples.EraseAsync(set, cancellationToken));

        // Only after every store has deleted: a rewrite that started earlier would copy the records into the new log.
        var purge = diskCopies is null ? DiskCopyPurge.None : await diskCopies.PurgeAsync(cancellationToken);
        LogErased(logger, kind, result.ReputationEntries, result.CheckRecords, result.LabelledExamples, purge.Note);
        return result with { DiskCopies = purge };
    }

    [LoggerMessage(6001, LogLevel.Warning,
        "Audit: erasure for an {Kind}: {ReputationEntries} reputation entries, {CheckRecords} check records, {Examples} labelled examples removed. On disk: {DiskCopies}")]
    private static partial void LogErased(ILogger logger, string kind, long reputationEntries, long checkRecords, long examples, string diskCopies);
}
