using SpamGuard.Core.Explanations;

namespace SpamGuard.Core.Tests;

public sealed class EvidenceMaskTests
{
    [Theory]
    [InlineData("write to bob.smith@mail.example now", "write to [email] now")]
    [InlineData("(bob@mail.example)", "[email]")]
    [InlineData("from 203.0.113.7", "from [ip]")]
    [InlineData("host 2001:db8::1 here", "host [ip] here")]
    [InlineData("call 09061701461 now", "call [number] now")]
    [InlineData("call 0800 542 0578", "call [number]")]
    [InlineData("win £1000 cash", "win £1000 cash")]
    [InlineData("version 1.2.3", "version 1.2.3")]
    [InlineData("free prize", "free prize")]
    [InlineData("12:30 tomorrow", "12:30 tomorrow")]
    public void Apply_MasksPersonalDataOnly(string evidence, string expected) =>
        Assert.Equal(expected, EvidenceMask.Apply(evidence));
}
