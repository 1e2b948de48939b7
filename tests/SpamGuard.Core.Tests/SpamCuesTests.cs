using SpamGuard.Core.Features;

namespace SpamGuard.Core.Tests;

public sealed class SpamCuesTests
{
    private static string[] Cues(string text) => SpamCues.Compute(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Names_AllHaveDescriptions()
    {
        Assert.All(SpamCues.Names, name => Assert.True(SpamCues.Descriptions.ContainsKey(name), name));
        Assert.Equal(SpamCues.Names.Count, SpamCues.Names.Distinct().Count());
    }

    [Theory]
    [InlineData("Txt WIN to 80082 now", "cue_short_code")]
    [InlineData("send GO to 87121 to get it", "cue_short_code")]
    [InlineData("reply YES 85023", "cue_short_code")]
    [InlineData("Call 09061701461 to claim", "cue_premium_number")]
    [InlineData("call 0800 542 0578 today", "cue_premium_number")]
    [InlineData("only £1.50 a week", "cue_price")]
    [InlineData("msgs cost 150p each", "cue_price")]
    [InlineData("win $500 cash", "cue_price")]
    [InlineData("You have WON a guaranteed prize", "cue_prize")]
    [InlineData("txt STOP to end", "cue_opt_out")]
    [InlineData("to opt-out reply", "cue_opt_out")]
    [InlineData("stop to 87239", "cue_opt_out")]
    [InlineData("Please check out my channel", "cue_self_promotion")]
    [InlineData("sub to me and I sub back", "cue_self_promotion")]
    [InlineData("listen to my new song", "cue_self_promotion")]
    public void Compute_KnownSpamPhrasing_ShowsTheCue(string text, string cue)
    {
        Assert.Contains(cue, Cues(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("see you at 5, call me when you are home")]
    [InlineData("I'll text you later, ok?")]
    [InlineData("stop it, that song is great")]
    [InlineData("this video has 1,000,000 views")]
    [InlineData("my mum says hi")]
    public void Compute_OrdinaryText_ShowsNoCue(string text)
    {
        Assert.Empty(Cues(text));
    }

    [Fact]
    public void Compute_SeveralCues_AreListedOnceEachInNameOrder()
    {
        var cues = Cues("WINNER! txt CLAIM to 80082, £100 prize, £200 cash");

        Assert.Equal(SpamCues.Names.Where(cues.Contains), cues);
        Assert.Equal(cues.Distinct(), cues);
        Assert.Contains("cue_prize", cues);
        Assert.Contains("cue_price", cues);
        Assert.Contains("cue_short_code", cues);
    }

    [Fact]
    public void Compute_HugeInput_StaysFast()
    {
        var text = string.Concat(Enumerable.Repeat("txt to to to 1234 check my ", 3000));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        SpamCues.Compute(text);

        Assert.True(watch.ElapsedMilliseconds < 2000, $"{watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Extract_FillsCueTokensFromTheNormalisedText()
    {
        Assert.Equal("cue_short_code", CommentFeatureExtractor.Extract("<b>Txt</b> WIN to 80082", null).CueTokens);
    }
}
