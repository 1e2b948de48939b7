using Google.Protobuf.WellKnownTypes;
using SpamGuard.Contracts.V1;

namespace SpamGuard.FaultLab;

/// <summary>
/// Realistic, varied comments: blog ham and link spam from many authors, addresses and agents. Every comment carries a
/// serial number in its text so that no two checks are the same comment.
/// </summary>
internal sealed class CommentFactory(int seed)
{
    private static readonly string[] HamOpenings =
    [
        "Thanks for writing this up, it saved me an afternoon.",
        "I tried the second approach and it worked on Debian 12 too.",
        "Could you say more about how you measured the latency here?",
        "Great post. One small correction: the flag is --no-cache, not --nocache.",
        "We ran into the same problem last year; pinning the version fixed it for us.",
        "Lovely photos from the hike, the light on the ridge is wonderful.",
        "My grandmother used to make this with apples instead of pears, worth a try.",
        "Is there a reason you chose SQLite over a plain file for this?",
        "The chart in the third section seems to have its axes swapped.",
        "Bookmarked. Looking forward to the follow-up on testing.",
    ];

    private static readonly string[] HamClosings =
    [
        "Cheers.", "Thanks again!", "Keep it up.", "", "Best, from a long-time reader.", "See you at the meetup.",
    ];

    private static readonly string[] SpamBodies =
    [
        "Buy cheap viagra now, no prescription needed, discreet shipping worldwide",
        "WINNER!! You have been selected for a free iPhone, claim your prize today",
        "Earn $5000 a week from home, no experience, click here to start",
        "Best casino bonus 2026, 200 free spins, instant withdrawal",
        "Cheap replica watches and designer bags at 90% off, limited stock",
        "Get more followers fast, guaranteed real likes, special offer",
        "Hot singles in your area want to meet you tonight",
        "Crypto doubling program, send 0.1 BTC and receive 0.2 BTC back",
    ];

    private static readonly string[] Names = ["Anna", "Ben Carter", "chloe_d", "Dmitri", "Elif Yilmaz", "Frank", "Grace H.", "Hiro", "Ines", "Jamal"];
    private static readonly string[] Domains = ["example.org", "mail.example.net", "example.com", "post.example"];
    private static readonly string[] SpamHosts = ["cheap-pills.example", "win-prize.example", "casino-bonus.example", "replica.example"];

    private static readonly string[] Agents =
    [
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
        "python-requests/2.31.0",
    ];

    private readonly Random _random = new(seed);
    private long _serial;

    /// <summary>A comment for <paramref name="site"/>; about a third are spam.</summary>
    public (CheckCommentRequest Request, bool Spam) Next(string site)
    {
        lock (_random)
        {
            var serial = Interlocked.Increment(ref _serial);
            var spam = _random.NextDouble() < 0.35;
            var name = Names[_random.Next(Names.Length)];
            var request = new CheckCommentRequest
            {
                Site = site,
                UserIp = $"{_random.Next(1, 224)}.{_random.Next(256)}.{_random.Next(256)}.{_random.Next(1, 255)}",
                UserAgent = Agents[_random.Next(Agents.Length)],
                Permalink = $"{site.TrimEnd('/')}/posts/{_random.Next(1, 400)}",
                CommentType = CommentType.Comment,
                Author = spam ? "Best Offers " + _random.Next(1000) : name,
                AuthorEmail = $"{(spam ? "promo" : name.Replace(' ', '.').ToLowerInvariant())}{_random.Next(10_000)}@{Domains[_random.Next(Domains.Length)]}",
                CommentDate = Timestamp.FromDateTime(DateTime.UtcNow),
                SiteLanguages = { "en" },
                Charset = "UTF-8",
            };
            if (spam)
            {
                var host = SpamHosts[_random.Next(SpamHosts.Length)];
                request.AuthorUrl = $"https://{host}/";
                request.Content = $"{SpamBodies[_random.Next(SpamBodies.Length)]} https://{host}/offer/{serial} ref {serial}";
            }
            else
            {
                request.Content = $"{HamOpenings[_random.Next(HamOpenings.Length)]} (re: comment {serial}) {HamClosings[_random.Next(HamClosings.Length)]}".Trim();
                request.ClientSignals = new ClientSignals { TimeToSubmitMs = (uint)_random.Next(8_000, 300_000), JavascriptRan = true };
            }

            return (request, spam);
        }
    }

    public double NextDouble()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }
}
