using SpamGuard.Core.Features;

namespace SpamGuard.Core.Tests;

public sealed class TextNormalizerTests
{
    private const string Link = TextNormalizer.LinkPlaceholder;

    [Fact]
    public void Normalize_Null_ReturnsEmptyTextAndNoHosts()
    {
        var result = TextNormalizer.Normalize(null);

        Assert.Equal("", result.Text);
        Assert.Empty(result.LinkHosts);
    }

    [Fact]
    public void Normalize_Empty_ReturnsEmptyTextAndNoHosts()
    {
        var result = TextNormalizer.Normalize("");

        Assert.Equal("", result.Text);
        Assert.Empty(result.LinkHosts);
    }

    [Theory]
    [InlineData('\uFEFF')] // BOM / zero-width no-break space
    [InlineData('\u200B')] // zero-width space
    [InlineData('\u200C')] // zero-width non-joiner
    [InlineData('\u200D')] // zero-width joiner
    [InlineData('\u2060')] // word joiner
    [InlineData('\u00AD')] // soft hyphen
    public void Normalize_InvisibleCharacter_IsRemoved(char invisible)
    {
        var result = TextNormalizer.Normalize($"{invisible}vi{invisible}agra{invisible}");

        Assert.Equal("viagra", result.Text);
    }

    [Fact]
    public void Normalize_InvisibleCharacterAsEntity_IsRemovedAfterDecoding()
    {
        Assert.Equal("viagra", TextNormalizer.Normalize("vi&#xFEFF;agra").Text);
    }

    // Built in code: a lone surrogate in an attribute argument does not survive the compiler's metadata encoding.
    public static TheoryData<string, string> UnpairedSurrogates => new()
    {
        { "a\uD83Db", "a\uFFFDb" }, // lone high surrogate
        { "a\uDE00b", "a\uFFFDb" }, // lone low surrogate
        { "ab\uD83D", "ab\uFFFD" }, // high surrogate at the very end
        { "\uDE00\uD83D", "\uFFFD\uFFFD" }, // pair in the wrong order
        { "\uD83D\uD83D\uDE00", "\uFFFD\U0001F600" }, // stray high surrogate before a valid pair
    };

    [Theory]
    [MemberData(nameof(UnpairedSurrogates))]
    public void Normalize_UnpairedSurrogate_BecomesReplacementCharacter(string input, string expected)
    {
        Assert.Equal(expected, TextNormalizer.Normalize(input).Text);
    }

    [Fact]
    public void Normalize_ValidSurrogatePair_Survives()
    {
        Assert.Equal("great \U0001F600 post", TextNormalizer.Normalize("great \U0001F600 post").Text);
    }

    [Fact]
    public void RemoveInvisibleAndBroken_ControlCharacters_BecomeSpaces()
    {
        Assert.Equal("a b c d", TextNormalizer.RemoveInvisibleAndBroken("a\u0001b\u0007c\u001Bd"));
    }

    [Fact]
    public void Normalize_ControlCharactersAndLineBreaks_CollapseToSingleSpaces()
    {
        Assert.Equal("a b c d", TextNormalizer.Normalize("a\u0000b\r\nc\t\td").Text);
    }

    [Fact]
    public void Normalize_Tags_AreRemoved()
    {
        Assert.Equal("Hello world there", TextNormalizer.Normalize("<p>Hello <b>world</b></p><br/>there<!-- note -->").Text);
    }

    [Fact]
    public void Normalize_EncodedTag_StaysVisibleText()
    {
        Assert.Equal("<b>bold</b>", TextNormalizer.Normalize("&lt;b&gt;bold&lt;/b&gt;").Text);
    }

    [Theory]
    [InlineData("it&#39;s", "it's")]
    [InlineData("&quot;quoted&quot;", "\"quoted\"")]
    [InlineData("salt &amp; pepper", "salt & pepper")]
    [InlineData("caf&eacute;", "café")]
    public void Normalize_Entities_AreDecoded(string input, string expected)
    {
        Assert.Equal(expected, TextNormalizer.Normalize(input).Text);
    }

    [Fact]
    public void Normalize_Anchor_TakesHostFromHrefAndKeepsAnchorText()
    {
        var result = TextNormalizer.Normalize("""<a href="http://shop.example/x">text</a>""");

        Assert.Equal(["shop.example"], result.LinkHosts);
        Assert.Equal("text", result.Text);
    }

    [Fact]
    public void Normalize_AnchorTextRepeatsTheUrl_CountsTheLinkOnce()
    {
        var result = TextNormalizer.Normalize("""<a href="http://shop.example/x">http://shop.example/x</a>""");

        Assert.Equal(["shop.example"], result.LinkHosts);
        Assert.Equal(Link, result.Text);
    }

    [Fact]
    public void Normalize_AnchorTextNamesAnotherHost_KeepsBothHosts()
    {
        var result = TextNormalizer.Normalize("""<a href="http://real.example/">www.looks-safe.com</a>""");

        Assert.Equal(["real.example", "looks-safe.com"], result.LinkHosts);
    }

    [Theory]
    [InlineData("<a href='http://single.example/'>x</a>", "single.example")]
    [InlineData("<a href=http://unquoted.example/p>x</a>", "unquoted.example")]
    [InlineData("<A class=\"c\"\nHREF=\"https://upper.example\">x</A>", "upper.example")]
    [InlineData("<a href=\"http://amp.example/?a=1&amp;b=2\">x</a>", "amp.example")]
    public void Normalize_AnchorVariants_FindHost(string html, string host)
    {
        var result = TextNormalizer.Normalize(html);

        Assert.Equal([host], result.LinkHosts);
        Assert.Equal("x", result.Text);
    }

    [Theory]
    [InlineData("visit kidsmediausa.com today", "kidsmediausa.com")]
    [InlineData("visit www.pills.example today", "pills.example")]
    [InlineData("visit shop-pills.com/buy?now=1 today", "shop-pills.com")]
    [InlineData("visit KidsMediaUSA.COM today", "kidsmediausa.com")]
    [InlineData("visit cheap.pills.ru today", "cheap.pills.ru")]
    [InlineData("visit kidsmediausa.com. today", "kidsmediausa.com")]
    [InlineData("visit shop-pills.com/buy?next=http://evil.com today", "shop-pills.com")]
    public void Normalize_BareDomainWithListedTld_IsALink(string input, string host)
    {
        var result = TextNormalizer.Normalize(input);

        Assert.Equal([host], result.LinkHosts);
        Assert.StartsWith($"visit {Link} ", result.Text);
        Assert.EndsWith(" today", result.Text);
    }

    [Theory]
    [InlineData("mail bob.smith.info@gmail.com please", new string[0])]
    [InlineData("mail bob@shop.com or see shop.com", new[] { "shop.com" })]
    public void Normalize_EmailAddress_IsNotALink(string input, string[] hosts) =>
        Assert.Equal(hosts, TextNormalizer.Normalize(input).LinkHosts);

    [Theory]
    [InlineData("http://\u05D01.com/x")]
    [InlineData("see www.a\u0640b.com now")]
    [InlineData("http://xn--ls8h.la/ and http://\u0627\u0644\u0639\u0631\u0628\u064A\u0629.example/")]
    public void Normalize_HostsThatCannotBePunycoded_StillGiveAHost(string input)
    {
        var result = TextNormalizer.Normalize(input);

        Assert.NotEmpty(result.LinkHosts);
        Assert.All(result.LinkHosts, h => Assert.False(string.IsNullOrWhiteSpace(h)));
    }

    [Theory]
    [InlineData("see pills.example for details")] // .example is not in the bare-host TLD list
    [InlineData("written in node.js and saved as notes.txt")]
    [InlineData("version 1.2.3 is out")]
    public void Normalize_DotsWithoutListedTld_AreNotLinks(string input)
    {
        var result = TextNormalizer.Normalize(input);

        Assert.Empty(result.LinkHosts);
        Assert.Equal(input, result.Text);
    }

    [Theory]
    [InlineData("http://spam.example/a", "spam.example")]
    [InlineData("https://spam.example", "spam.example")]
    [InlineData("ftp://files.example/x.zip", "files.example")]
    [InlineData("HTTPS://WWW.Shop.Example:8080/p?q=1", "shop.example")]
    [InlineData("http://user@evil.example/", "evil.example")]
    [InlineData("http://spam.example/x, then more", "spam.example")]
    [InlineData("http://spam.example.", "spam.example")]
    [InlineData("\"http://quoted.example\"", "quoted.example")]
    public void Normalize_SchemeUrl_HostIsLowerCasedWithoutWww(string input, string host)
    {
        Assert.Equal([host], TextNormalizer.Normalize(input).LinkHosts);
    }

    [Theory]
    [InlineData("check http://spam.com, great")]
    [InlineData("see (http://spam.com) now")]
    [InlineData("wow http://spam.com!")]
    [InlineData("go to www.spam.com, yes")]
    [InlineData("[url=http://spam.com]cheap pills[/url]")]
    [InlineData("[cheap pills](http://spam.com)")]
    [InlineData("https://spam.com...")]
    public void Normalize_SchemeUrlFollowedByPunctuation_StillYieldsHost(string input)
    {
        var result = TextNormalizer.Normalize(input);

        Assert.Equal(["spam.com"], result.LinkHosts);
    }

    [Fact]
    public void Normalize_SeveralLinks_HostsInOrderAndEachReplacedByPlaceholder()
    {
        var result = TextNormalizer.Normalize("first a-shop.com then http://b.example/x and www.c.example end");

        Assert.Equal(["a-shop.com", "b.example", "c.example"], result.LinkHosts);
        Assert.Equal($"first {Link} then {Link} and {Link} end", result.Text);
    }

    [Fact]
    public void Normalize_Whitespace_IsCollapsedAndTrimmed()
    {
        Assert.Equal("a b c", TextNormalizer.Normalize("  a \n\n b\t\u00A0 c  ").Text);
    }

    [Theory]
    [InlineData("5 < 6 and the rest of the comment")]
    [InlineData("I <3 this blog, really")]
    [InlineData("a <b and no closing bracket anywhere in this text")]
    public void Normalize_StrayLessThanInProse_KeepsTheText(string input)
    {
        Assert.Equal(input, TextNormalizer.Normalize(input).Text);
    }

    [Fact]
    public void Normalize_LessThanFarFromAnyGreaterThan_DoesNotSwallowTheText()
    {
        // Arrange: a '<' that looks like a tag start, with a '>' only after more than the 1000-character tag limit.
        var prose = string.Join(' ', Enumerable.Repeat("words", 300));
        var input = $"x <y {prose} > z";

        // Act
        var result = TextNormalizer.Normalize(input);

        // Assert
        Assert.Equal(input, result.Text);
    }

    [Fact]
    public void Normalize_TenThousandLinks_AllCounted()
    {
        var input = string.Join(' ', Enumerable.Range(0, 10_000).Select(i => $"http://h{i}.example/p"));

        var result = TextNormalizer.Normalize(input);

        Assert.Equal(10_000, result.LinkHosts.Count);
        Assert.Equal(10_000, result.LinkHosts.Distinct().Count());
        Assert.Equal(10_000, result.Text.Split(' ').Count(t => t == Link));
    }

    [Fact]
    public void Normalize_TenThousandAnchorsRepeatingTheirUrl_EachCountedOnce()
    {
        var input = string.Concat(Enumerable.Range(0, 10_000).Select(i => $"<a href=\"http://h{i}.example/\">http://h{i}.example/</a> "));

        var result = TextNormalizer.Normalize(input);

        Assert.Equal(10_000, result.LinkHosts.Count);
        Assert.Equal("h9999.example", result.LinkHosts[^1]);
    }

    [Theory]
    [InlineData("WWW.Example.COM", "example.com")]
    [InlineData("http://Shop.Example./path", "shop.example")]
    [InlineData("https://bücher.example/", "xn--bcher-kva.example")]
    [InlineData("  www.padded.example  ", "padded.example")]
    public void HostOf_Link_ReturnsCanonicalHost(string link, string expected)
    {
        Assert.Equal(expected, TextNormalizer.HostOf(link));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("file:///etc/passwd")]
    public void HostOf_NoHost_ReturnsNull(string link)
    {
        Assert.Null(TextNormalizer.HostOf(link));
    }
}
