using Microsoft.Extensions.Logging.Abstractions;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core.Tests;

/// <summary>The site call path: a node that cannot tell whether keys exist does nothing, and open mode is rate-limited.</summary>
public sealed class SiteCallServiceTests : IDisposable
{
    private readonly FixedContributionModel _model = new("fixed-1", new Thresholds(0.5, 0.99), -2.0);
    private readonly FeedbackHarness _h;
    private readonly KeyStoreThatCanFail _keys = new();
    private readonly RecordingLimiter _limiter = new();
    private readonly SiteUsageCounter _usage = new(new InProcessSiteUsageStore(), TimeProvider.System, NullLogger<SiteUsageCounter>.Instance);
    private readonly ReportRateLimiter _reportLimits = new(Microsoft.Extensions.Options.Options.Create(new ReputationOptions()));
    private readonly SiteCallService _calls;

    public SiteCallServiceTests()
    {
        _h = new FeedbackHarness(_model);
        _calls = new SiteCallService(new SiteKeyGate(_keys, TimeProvider.System), _limiter, _h.Checks, _h.Feedback, _h.Outboxed, _usage, _reportLimits, _h.Metrics);
    }

    public void Dispose()
    {
        _usage.Dispose();
        _reportLimits.Dispose();
        _h.Dispose();
    }

    [Fact]
    public async Task KeyStoreDownFromTheStart_CheckIsRefusedUnavailable_AndNothingIsScoredOrStored()
    {
        _keys.Down = true;

        await Assert.ThrowsAsync<StoreUnavailableException>(() => _calls.CheckAsync(null, TestComments.With(), CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => _calls.ReportAsync(null,
            new Feedback.FeedbackReport(ReportLabel.Spam, TestComments.Site.ToString(), null, TestComments.With()), CancellationToken.None));

        Assert.Equal(0, _model.ScoreCalls);
        Assert.Equal(0, _h.Records.Calls);
        Assert.False(_h.Journal.HasPending);
    }

    [Fact]
    public async Task OpenMode_ChargesTheSitesOpenBudget_AndRefusesOverIt()
    {
        var accepted = await _calls.CheckAsync(null, TestComments.With(), CancellationToken.None);
        _limiter.Refuse = true;

        var refused = await Assert.ThrowsAsync<SiteCallRefusedException>(() => _calls.CheckAsync(null, TestComments.With(), CancellationToken.None));

        Assert.Equal(Verdict.Ham, accepted.Verdict);
        Assert.Equal(SiteRefusal.RateLimited, refused.Reason);
        Assert.Equal(1, _h.Counter("spamguard.rate_limited"));
        Assert.Equal([ISiteRateLimiter.OpenPartition(TestComments.Site), ISiteRateLimiter.OpenPartition(TestComments.Site)], _limiter.Partitions);
    }

    private sealed class RecordingLimiter : ISiteRateLimiter
    {
        public List<string> Partitions { get; } = [];

        public bool Refuse { get; set; }

        public bool TryAcquire(string keyId, out TimeSpan? retryAfter)
        {
            Partitions.Add(keyId);
            retryAfter = Refuse ? TimeSpan.FromSeconds(1) : null;
            return !Refuse;
        }

        public bool IsThrottled(string keyId) => false;
    }

    private sealed class KeyStoreThatCanFail : ISiteKeyStore
    {
        private readonly InProcessSiteKeyStore _inner = new();

        public bool Down { get; set; }

        public Task AddAsync(SiteKey key, CancellationToken cancellationToken) => Gate(() => _inner.AddAsync(key, cancellationToken));

        public Task<SiteKey?> FindByHashAsync(string keyHash, CancellationToken cancellationToken) => Gate(() => _inner.FindByHashAsync(keyHash, cancellationToken));

        public Task<IReadOnlyList<SiteKey>> ListAsync(CancellationToken cancellationToken) => Gate(() => _inner.ListAsync(cancellationToken));

        public Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) => Gate(() => _inner.RevokeAsync(id, at, cancellationToken));

        private T Gate<T>(Func<T> call) => Down ? throw new StoreUnavailableException("test outage") : call();
    }
}
