using SpamGuard.Core.Comments;
using SpamGuard.Core.Features;

namespace SpamGuard.Core.Tests;

public sealed class CommentFeatureExtractorTests
{
    private static void AssertSameFeatures(CommentFeatures expected, CommentFeatures actual)
    {
        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.LinkHosts, actual.LinkHosts);
        Assert.Equal(expected.AuthorTokens, actual.AuthorTokens);
        Assert.Equal(expected.Statistics, actual.Statistics);
    }

    private static string[] Tokens(string authorTokens) => authorTokens.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    [InlineData("john123", "name_has_digits")]
    [InlineData("Buy at cheap-pills.com", "name_has_link")]
    [InlineData("http://pills.example", "name_has_link")]
    [InlineData("JOHN SMITH", "name_all_caps")]
    [InlineData("John Paul George Ringo", "name_long")]
    public void AuthorTokens_NameShape_AddsToken(string name, string token)
    {
        Assert.Contains(token, Tokens(CommentFeatureExtractor.AuthorTokens(name, null, null)));
    }

    [Theory]
    [InlineData("John Smith")]
    [InlineData("John Paul George")]
    [InlineData("O'Brien-Smith")]
    public void AuthorTokens_OrdinaryName_AddsNoToken(string name)
    {
        Assert.Equal("", CommentFeatureExtractor.AuthorTokens(name, null, null));
    }

    [Fact]
    public void AuthorTokens_NameWithoutLetters_IsNotAllCaps()
    {
        Assert.Equal("name_has_digits", CommentFeatureExtractor.AuthorTokens("12345", null, null));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\uFEFF\u200B")]
    public void AuthorTokens_EmptyName_AddsNoToken(string? name)
    {
        Assert.Equal("", CommentFeatureExtractor.AuthorTokens(name, null, null));
    }

    [Fact]
    public void Extract_Comment_EmailDomainTokenIsLowerCasedDomainOnly()
    {
        var comment = TestComments.With() with { AuthorEmail = "Secret.Person@Mail.Example" };

        var tokens = CommentFeatureExtractor.Extract(comment).AuthorTokens;

        Assert.Equal(["email_domain=mail.example"], Tokens(tokens));
    }

    [Fact]
    public void Extract_Comment_AuthorUrlHostToken()
    {
        var comment = TestComments.With() with { AuthorUrl = new Uri("https://www.Blog.Example/about") };

        Assert.Equal(["url_host=blog.example"], Tokens(CommentFeatureExtractor.Extract(comment).AuthorTokens));
    }

    [Fact]
    public void AuthorTokens_UrlWithoutHost_SaysUrlPresent()
    {
        Assert.Equal("url_present", CommentFeatureExtractor.AuthorTokens(null, null, new Uri("file:///tmp/x")));
    }

    [Fact]
    public void AuthorTokens_AllParts_CombinesShapeDomainAndHost()
    {
        var tokens = CommentFeatureExtractor.AuthorTokens("JOHN 123", "mail.example", new Uri("https://site.example/"));

        Assert.Equal(["name_has_digits", "name_all_caps", "email_domain=mail.example", "url_host=site.example"], Tokens(tokens));
    }

    [Theory]
    [InlineData("Zebediah Thistlewood")]
    [InlineData("ZEBEDIAH THISTLEWOOD 4 EVER")]
    [InlineData("zebediah.thistlewood.com")]
    public void Extract_AuthorName_NeverAppearsInFeatures(string name)
    {
        // Arrange
        var comment = TestComments.With("Nice article about gardening.") with
        {
            Author = name,
            AuthorEmail = "zt@mail.example",
            AuthorUrl = new Uri("https://site.example/"),
        };

        // Act
        var features = CommentFeatureExtractor.Extract(comment);

        // Assert
        foreach (var part in new[] { features.Text, features.LinkHosts, features.AuthorTokens })
        {
            Assert.DoesNotContain("zebediah", part, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("thistlewood", part, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Extract_EmailLocalPart_NeverAppearsInFeatures()
    {
        var comment = TestComments.With() with { AuthorEmail = "zebediah.t@mail.example" };

        var features = CommentFeatureExtractor.Extract(comment);

        Assert.DoesNotContain("zebediah", features.AuthorTokens, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Extract_Dates_DoNotInfluenceFeatures()
    {
        // Arrange
        var undated = TestComments.With("Buy cheap pills at http://pills.example now!!! $99") with
        {
            Author = "JOE 99",
            AuthorEmail = "joe@mail.example",
            AuthorUrl = new Uri("http://joe.example/"),
        };
        var dated = undated with
        {
            CommentDate = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero),
            PostModifiedDate = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
        };

        // Act
        var a = CommentFeatureExtractor.Extract(undated);
        var b = CommentFeatureExtractor.Extract(dated);

        // Assert
        AssertSameFeatures(a, b);
    }

    [Fact]
    public void Extract_ByteOrderMarkAndZeroWidth_DoNotChangeFeatures()
    {
        // Arrange
        var clean = TestComments.With("Great post, see kidsmediausa.com!") with { Author = "BOB 7" };
        var marked = clean with
        {
            Content = "\uFEFFGreat po\u200Bst, see kidsmedia\uFEFFusa.com!\uFEFF",
            Author = "\uFEFFBOB 7",
        };

        // Act
        var a = CommentFeatureExtractor.Extract(clean);
        var b = CommentFeatureExtractor.Extract(marked);

        // Assert
        AssertSameFeatures(a, b);
        Assert.Equal("kidsmediausa.com", a.LinkHosts);
    }

    [Fact]
    public void Extract_Content_UsesNormalizedTextHostsAndMatchingStatistics()
    {
        var features = CommentFeatureExtractor.Extract("<b>Visit</b> http://A.example and www.b.example", null);

        Assert.Equal($"Visit {TextNormalizer.LinkPlaceholder} and {TextNormalizer.LinkPlaceholder}", features.Text);
        Assert.Equal("a.example b.example", features.LinkHosts);
        Assert.Equal(TextStatistics.Compute(features.Text, 2), features.Statistics);
    }

    [Fact]
    public void Extract_ContentOnly_HasNoAuthorTokens()
    {
        Assert.Equal("", CommentFeatureExtractor.Extract(new Comment { Site = TestComments.Site, Content = "hi" }).AuthorTokens);
    }
}
