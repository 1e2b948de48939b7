using SpamGuard.Core.Reputation;

namespace SpamGuard.Core.Tests;

public sealed class ContentFingerprintTests
{
    // Each spam template with the kind of edit spammers make between posts.
    public static TheoryData<string, string> EditedCopies => new()
    {
        { "Buy cheap viagra online at xxlinkxx best prices guaranteed, discreet shipping worldwide", "Buy cheap cialis online at xxlinkxx best prices guaranteed, discreet shipping worldwide" },
        { "Check out my new channel, I post gaming videos every day, please subscribe and like!", "check out my new channel! I post gaming videos every day. please SUBSCRIBE and like" },
        { "WINNER!! As a valued network customer you have been selected to receive a £900 prize reward! To claim call 09061701461", "WINNER!! As a valued network customer you have been selected to receive a £900 prize reward! To claim call 09061701462" },
        { "Make $5000 a week working from home, no experience needed, click xxlinkxx to start today", "Make $6000 a week working from home, no experience needed, click xxlinkxx to start now" },
        { "Hot singles in your area are waiting to meet you tonight, sign up free at xxlinkxx", "Hot singles in your area are waiting to meet you tonight, sign up for free at xxlinkxx" },
        { "Great post! I really enjoyed reading this, visit my blog for more tips on weight loss xxlinkxx", "Great post, I really enjoyed reading this. Visit my blog for more tips on weight loss: xxlinkxx" },
        { "URGENT your account has been locked, verify your details at xxlinkxx within 24 hours", "URGENT: your account has been locked; verify your details at xxlinkxx within 48 hours" },
        { "Free entry in 2 a wkly comp to win FA Cup final tkts 21st May 2005. Text FA to 87121 to receive entry question", "Free entry in 2 a wkly comp to win FA Cup final tkts 21st May 2005. Text FA to 87121 to receive entry questions" },
        { "I made 3000 dollars last month with this simple trick, google money online guide for details", "I made 4000 dollars last month with this simple trick, google money online guide for more details" },
        { "Cheap replica watches and designer handbags, huge discounts this week only at xxlinkxx", "Cheap replica watches and designer bags, huge discounts this week only at xxlinkxx" },
    };

    public static TheoryData<string, string> UnrelatedComments => new()
    {
        { "Buy cheap viagra online at xxlinkxx best prices guaranteed, discreet shipping worldwide", "Thanks for the thoughtful write-up, the section on caching was exactly what I needed" },
        { "Check out my new channel, I post gaming videos every day, please subscribe and like!", "I disagree with the conclusion, the benchmark ignores warm-up and the variance is huge" },
        { "WINNER!! As a valued network customer you have been selected to receive a £900 prize reward!", "Hot singles in your area are waiting to meet you tonight, sign up free at xxlinkxx" },
        { "Make $5000 a week working from home, no experience needed, click xxlinkxx to start today", "Cheap replica watches and designer handbags, huge discounts this week only at xxlinkxx" },
        { "Great post! I really enjoyed reading this, visit my blog for more tips on weight loss", "URGENT your account has been locked, verify your details at xxlinkxx within 24 hours" },
        { "Does anyone know whether this works with the 2.1 release? The docs only mention 1.9", "My grandmother used to make this recipe every Sunday, I will try it with less sugar" },
        { "The video quality is amazing, what camera did you use for the night shots?", "Free entry in 2 a wkly comp to win FA Cup final tkts 21st May 2005. Text FA to 87121" },
        { "Ok lar... Joking wif u oni... see you at the station later", "Nah I don't think he goes to usf, he lives around here though" },
        { "I made 3000 dollars last month with this simple trick, google money online guide", "Please fix the typo in the second paragraph, it says teh instead of the" },
        { "Love this song so much, it reminds me of summer 2012 with my friends", "Subscribe to my channel for daily funny videos and giveaways xxlinkxx" },
    };

    [Theory]
    [MemberData(nameof(EditedCopies))]
    public void EditedCopy_IsANearDuplicate_AndSharesABand(string original, string copy)
    {
        var a = ContentFingerprint.Of(original)!;
        var b = ContentFingerprint.Of(copy)!;

        Assert.True(a.IsNearDuplicateOf(b), $"similarity {a.SimilarityTo(b)}");
        Assert.Contains(a.Bands(), b.Bands().Contains);
    }

    [Theory]
    [MemberData(nameof(UnrelatedComments))]
    public void UnrelatedComment_IsNotANearDuplicate_AndSharesNoBand(string first, string second)
    {
        var a = ContentFingerprint.Of(first)!;
        var b = ContentFingerprint.Of(second)!;

        Assert.True(a.SimilarityTo(b) < 0.25, $"similarity {a.SimilarityTo(b)}");
        Assert.DoesNotContain(a.Bands(), b.Bands().Contains);
    }

    [Fact]
    public void CasePunctuationAndSpacing_DoNotChangeTheFingerprint() =>
        Assert.Equal(ContentFingerprint.Of("Call NOW!!  to claim your prize.")!.Bands(), ContentFingerprint.Of("call now to claim your prize")!.Bands());

    [Theory]
    [InlineData("")]
    [InlineData("ok")]
    [InlineData("!!! ??? ...")]
    public void TooLittleText_HasNoFingerprint(string text) => Assert.Null(ContentFingerprint.Of(text));

    [Fact]
    public void Bands_AreStableKeys()
    {
        // Fixed values: a change here means every store's content reputation silently resets.
        var bands = ContentFingerprint.Of("Buy cheap viagra online at xxlinkxx best prices guaranteed")!.Bands();

        Assert.Equal(ContentFingerprint.BandCount, bands.Count);
        Assert.Equal(bands, ContentFingerprint.Of("Buy cheap viagra online at xxlinkxx best prices guaranteed")!.Bands());
        Assert.All(bands.Select((b, i) => (b, i)), x => Assert.StartsWith($"{x.i}:", x.b, StringComparison.Ordinal));
    }
}
