using SpamGuard.Core.Explanations;

namespace SpamGuard.Core.Tests;

public sealed class EvidenceMaskTests
{
    [Theory]
    [InlineData("write to bob.smith@mail.example now", "write to [email] now")]
    [InlineData("(bob@mail.example)", "([email])")]
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

    // The spellings that kept the raw address before (issue 17), and their neighbours.
    [Theory]
    [InlineData("<b>1.2.3.4</b>", "<b>[ip]</b>")]
    [InlineData("see http://1.2.3.4/x now", "see http://[ip]/x now")]
    [InlineData("ip=1.2.3.4&x=1", "ip=[ip]&x=1")]
    [InlineData("1.2.3.4:8080", "[ip]:8080")]
    [InlineData("1.2.3.4/24", "[ip]/24")]
    [InlineData("2001:db8::1/64", "[ip]/64")]
    [InlineData("http://[2001:db8::1]:443/", "http://[[ip]]:443/")]
    [InlineData("::ffff:1.2.3.4", "[ip]")]
    [InlineData("ip:2001:db8::1;", "ip:[ip];")]
    [InlineData("fe80::1%eth0", "[ip]%eth0")]
    [InlineData("end 2001:db8::1.", "end [ip].")]
    [InlineData("a@x.org,b@y.org", "[email],[email]")]
    [InlineData("<a href=\"mailto:bob@mail.example\">bob@mail.example</a>", "<a href=\"mailto:[email]\">[email]</a>")]
    [InlineData("'bob@mail.example'", "'[email]'")]
    [InlineData("email=bob%40mail.example&ok", "email=[email]&ok")]
    [InlineData("bob&#64;mail.example", "[email]")]
    [InlineData("bob&#x40;mail.example", "[email]")]
    [InlineData("bob＠mail.example", "[email]")]
    [InlineData("_bob@mail.example_", "[email]_")]
    [InlineData("联系bob@mail.example谢谢", "联系[email]谢谢")]
    [InlineData("地址1.2.3.4谢谢", "地址[ip]谢谢")]
    [InlineData("地址2001:db8::1谢谢", "地址[ip]谢谢")]
    [InlineData("用户@例子.广告", "[email]")]
    [InlineData("o'brien@mail.example", "[email]")]
    public void Addresses_MasksEverySpelling(string text, string expected) =>
        Assert.Equal(expected, EvidenceMask.Addresses(text));

    [Theory]
    [InlineData("version 1.2.3 and 1.2.3.4.5")]
    [InlineData("at 10:30 or 10:30:45, ratio 16:9")]
    [InlineData("only $4.99 or £1,000.00 (3.14%)")]
    [InlineData("std::vector and Foo::Bar, crate::db")]
    [InlineData("2024-01-02T10:30:45.123Z")]
    [InlineData("@mention me @ home, user@ or @x.org")]
    [InlineData("Chrome/120.0.6099.109 and e.g. a.b.c")]
    [InlineData("mac 00:1a:2b:3c:4d:5e")]
    public void Addresses_LeavesOrdinaryText(string text) =>
        Assert.Equal(text, EvidenceMask.Addresses(text));
}
