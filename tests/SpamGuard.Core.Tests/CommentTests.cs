using SpamGuard.Core.Comments;

namespace SpamGuard.Core.Tests;

public sealed class CommentTests
{
    [Theory]
    [InlineData("bob@mail.example", "mail.example")]
    [InlineData("Bob@Mail.EXAMPLE", "mail.example")]
    [InlineData("bob", "")]
    [InlineData("", "")]
    [InlineData("bob@", "")]
    [InlineData("a@b@last.example", "last.example")]
    [InlineData("@mail.example", "mail.example")]
    [InlineData("bob@ mail.example ", "mail.example")]
    [InlineData("bob@ ", "")]
    public void AuthorEmailDomain_Address_ReturnsLowerCasedPartAfterLastAt(string email, string expected)
    {
        var comment = TestComments.With() with { AuthorEmail = email };

        Assert.Equal(expected, comment.AuthorEmailDomain);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("x", true)]
    [InlineData(" ", true)]
    public void Honeypot_IsFilled_WhenValueNotEmpty(string value, bool filled)
    {
        Assert.Equal(filled, new Honeypot("website", value).IsFilled);
    }
}
