using System.Net;
using System.Text;
using SpamGuard.Core.Privacy;

namespace SpamGuard.Core.Tests;

public sealed class PseudonymizerTests
{
    private static readonly Pseudonymizer A = new(Encoding.UTF8.GetBytes("a test secret that is long enough!!"));
    private static readonly Pseudonymizer B = new(Encoding.UTF8.GetBytes("another secret, also long enough..."));

    [Fact]
    public void SameValue_SamePseudonym_DifferentSecret_DifferentPseudonym()
    {
        var ip = IPAddress.Parse("203.0.113.7");

        Assert.Equal(A.Ip(ip), A.Ip(IPAddress.Parse("203.0.113.7")));
        Assert.NotEqual(A.Ip(ip), B.Ip(ip));
        Assert.StartsWith("ip:", A.Ip(ip), StringComparison.Ordinal);
    }

    [Fact]
    public void Pseudonym_ContainsNothingOfTheValue()
    {
        string[] values = [A.Ip(IPAddress.Parse("203.0.113.7")), A.Email("bob.smith@mail.example"), A.Host("shop.example"), A.Network(IPAddress.Parse("203.0.113.7"))];

        foreach (var p in values)
        {
            Assert.DoesNotContain("203", p, StringComparison.Ordinal);
            Assert.DoesNotContain("bob", p, StringComparison.Ordinal);
            Assert.DoesNotContain("example", p, StringComparison.Ordinal);
            // kind prefix + 128 bits in base64url (22 characters)
            Assert.Equal(22, p[(p.IndexOf(':', StringComparison.Ordinal) + 1)..].Length);
            Assert.Matches("^[a-z]+:[A-Za-z0-9_-]{22}$", p);
        }
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.250", true)]
    [InlineData("203.0.113.7", "203.0.114.7", false)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::ffff:203.0.113.7", "203.0.113.99", true)]
    public void Network_GroupsTheSlash24OrSlash64(string first, string second, bool same)
    {
        var a = A.Network(IPAddress.Parse(first));
        var b = A.Network(IPAddress.Parse(second));

        Assert.Equal(same, a == b);
    }

    [Fact]
    public void MappedIpv4_IsTheSameAddress() =>
        Assert.Equal(A.Ip(IPAddress.Parse("203.0.113.7")), A.Ip(IPAddress.Parse("::ffff:203.0.113.7")));

    [Fact]
    public void Email_IgnoresCaseAndSurroundingSpace() =>
        Assert.Equal(A.Email("bob@mail.example"), A.Email(" Bob@MAIL.example "));

    [Theory]
    [InlineData("WWW.Shop.Example.", "shop.example")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    public void Host_CanonicalFormsShareAPseudonym(string a, string b) => Assert.Equal(A.Host(a), A.Host(b));

    [Theory]
    [InlineData("")]
    [InlineData("\u05D01.com")]
    [InlineData("a\u0640b.com")]
    [InlineData("...")]
    [InlineData("\uD800broken")]
    public void Host_OddInput_NeverThrows(string host) => Assert.StartsWith("host:", A.Host(host), StringComparison.Ordinal);

    [Fact]
    public void Kinds_NeverCollide() => Assert.NotEqual(A.Host("x.example")[5..], A.Email("x.example")[6..]);

    [Fact]
    public void ShortSecret_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new Pseudonymizer(new byte[Pseudonymizer.MinimumSecretBytes - 1]));
}

public sealed class PseudonymSecretTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spamguard-secret-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void NoSecretConfigured_GeneratesOnePersistsItAndReusesIt()
    {
        var options = new PrivacyOptions { PseudonymSecretFile = Path.Combine(_dir, "sub", "secret.key") };

        var first = PseudonymSecret.Load(options);
        var second = PseudonymSecret.Load(options);

        Assert.Equal(first, second);
        Assert.True(first.Length >= Pseudonymizer.MinimumSecretBytes);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(options.PseudonymSecretFile));
        }
    }

    [Fact]
    public void ConfiguredSecret_WinsOverTheFile()
    {
        var configured = Convert.ToBase64String(new byte[40]);
        var options = new PrivacyOptions { PseudonymSecret = configured, PseudonymSecretFile = Path.Combine(_dir, "unused.key") };

        Assert.Equal(new byte[40], PseudonymSecret.Load(options));
        Assert.False(File.Exists(options.PseudonymSecretFile));
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("AAAA")]
    public void BadConfiguredSecret_IsAClearError(string secret)
    {
        var ex = Assert.Throws<PseudonymSecretException>(() => PseudonymSecret.Load(new PrivacyOptions { PseudonymSecret = secret }));

        Assert.Contains("Privacy:PseudonymSecret", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class PseudonymEncodingTests
{
    private static readonly Pseudonymizer A = new(Encoding.UTF8.GetBytes("a test secret that is long enough!!"));

    // Stored reputation and records are keyed by these strings: a change of encoding would orphan all of them at an
    // upgrade. The reference is the definition, computed the plain way: kind ":" base64url(HMAC(kind "\n" value)[..16]).
    [Theory]
    [InlineData("ip", "203.0.113.7")]
    [InlineData("email", "reader@example.com")]
    [InlineData("host", "blog.example")]
    [InlineData("host", "bücher.example")]
    public void Pseudonyms_AreTheDocumentedEncodingOfTheHmac(string kind, string value)
    {
        var secret = Encoding.UTF8.GetBytes("a test secret that is long enough!!");
        var mac = System.Security.Cryptography.HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(kind + "\n" + (kind == "host" ? Pseudonymizer.CanonicalHost(value) : value)));
        var expected = kind + ":" + Convert.ToBase64String(mac, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var actual = kind switch
        {
            "ip" => A.Ip(IPAddress.Parse(value)),
            "email" => A.Email(value),
            _ => A.Host(value),
        };

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("Blog.Example.", "blog.example")]
    [InlineData("www.blog.example", "blog.example")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("a..b", "a..b")]
    public void CanonicalHost_LowersMapsAndStripsWww(string host, string expected) =>
        Assert.Equal(expected, Pseudonymizer.CanonicalHost(host));
}
