using System.Globalization;
using System.Net;
using System.Text;
using SpamGuard.Core.Explanations;

namespace SpamGuard.Core.Tests;

/// <summary>
/// Generated spellings of e-mail and IP addresses (random markup, punctuation, schemes, ports, prefixes, encodings and
/// neighbouring scripts around random addresses, fixed seed): none may survive masking, and the ordinary text around
/// them (version numbers, times, prices) must.
/// </summary>
public sealed class AddressMaskingPropertyTests
{
    private const int Cases = 5000;

    private static readonly string[] Ordinary =
    [
        "hello", "free", "prize", "version 1.2.3", "at 10:30", "10:30:45", "$4.99", "£1,000", "3.14", "50%", "v2.0",
        "2024-01-02", "C++", "std::vector", "ratio 16:9", "e.g.", "@mention", "#tag", "1.2.3.4.5", "ok!", "谢谢", "привет",
        "x=1&y=2", "<p>", "</p>", "&nbsp;", "naïve", "café", "https://example.com/a?b=c", "0800 542 0578",
    ];

    // {0} is the address as it is spelled for the context; IPv6 gets brackets where a port or URL needs them.
    private static readonly string[] AroundAny =
    [
        "{0}", "<b>{0}</b>", "<i>{0}</i>", "\"{0}\"", "'{0}'", "({0})", "[{0}]", "{{{0}}}", "<{0}>", "{0}.", "{0},", "{0};",
        "{0}!", "{0}?", "_{0}_", "联系{0}谢谢", "адрес:{0}", "ip={0}", "from={0}&x=1", "\t{0}\n", "«{0}»", "{0}…", "*{0}*",
        "`{0}`", "<td>{0}</td>", "&quot;{0}&quot;",
    ];

    private static readonly string[] AroundIp =
    [
        "http://{1}/x", "https://{1}:8443/path?q=1", "{1}:8080", "{0}/24", "{0}/64", "//{1}", "ftp://{1}", "host:{0}",
        "[{1}]", "ip:{0};", "X-Forwarded-For: {0}, {0}",
    ];

    private static readonly string[] AroundEmail =
    [
        "mailto:{0}", "<a href=\"mailto:{0}\">{0}</a>", "{0},{0}", "{0};{0}", "Name <{0}>", "?email={2}", "{2}", "{3}",
        "{4}", "{5}", "from:{0}", "reply-to={0}&x=1",
    ];

    [Fact]
    public void Addresses_GeneratedSpellings_LeaveNoRawAddress()
    {
        var random = new Random(20261206);
        var failures = new List<string>();
        for (var n = 0; n < Cases && failures.Count < 10; n++)
        {
            var (text, raws, kept) = Generate(random);
            var masked = EvidenceMask.Addresses(text);
            foreach (var raw in raws.Where(raw => masked.Contains(raw, StringComparison.OrdinalIgnoreCase)))
            {
                failures.Add($"kept {raw} in: {text} => {masked}");
            }

            foreach (var word in kept.Where(word => !masked.Contains(word, StringComparison.Ordinal)))
            {
                failures.Add($"lost ordinary \"{word}\" in: {text} => {masked}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Addresses_GeneratedOrdinaryText_IsUnchanged()
    {
        var random = new Random(6122026);
        for (var n = 0; n < Cases; n++)
        {
            var text = string.Join(Pick(random, [" ", "  ", "\n", ", ", " - "]), Enumerable.Range(0, random.Next(1, 12)).Select(_ => Pick(random, Ordinary)));
            Assert.Equal(text, EvidenceMask.Addresses(text));
        }
    }

    // Bounded work whatever the input: 64 KiB made of what the scanner looks for. The deadline only stops a hang.
    [Theory]
    [InlineData("@")]
    [InlineData("a%40")]
    [InlineData("a.")]
    [InlineData("a@b.")]
    [InlineData("&#64;a")]
    [InlineData("1:")]
    [InlineData("1.")]
    [InlineData("f:f:")]
    [InlineData("1.2.3.4.")]
    [InlineData("::")]
    public async Task Addresses_AdversarialInput_FinishesAndMasks(string unit)
    {
        var text = string.Concat(Enumerable.Repeat(unit, (64 * 1024) / unit.Length));

        var masked = await Task.Run(() => EvidenceMask.Addresses(text)).WaitAsync(TimeSpan.FromSeconds(30));

        // Whatever was left is nothing the scanner takes for an address: masking again changes nothing.
        Assert.Equal(masked, EvidenceMask.Addresses(masked));
    }

    private static (string Text, List<string> Raws, List<string> Kept) Generate(Random random)
    {
        var raws = new List<string>();
        var kept = new List<string>();
        var text = new StringBuilder();
        for (var part = random.Next(1, 4); part > 0; part--)
        {
            var word = Pick(random, Ordinary);
            kept.Add(word);
            text.Append(word).Append(' ');
            text.Append(random.Next(3) switch
            {
                0 => SpellIpv4(random, raws),
                1 => SpellIpv6(random, raws),
                _ => SpellEmail(random, raws),
            });
            text.Append(' ');
        }

        var last = Pick(random, Ordinary);
        kept.Add(last);
        return (text.Append(last).ToString(), raws, kept);
    }

    private static string SpellIpv4(Random random, List<string> raws)
    {
        var address = string.Join('.', Enumerable.Range(0, 4).Select(_ => random.Next(256).ToString(CultureInfo.InvariantCulture)));
        raws.Add(address);
        return Format(Pick(random, [.. AroundAny, .. AroundIp]), address, address);
    }

    private static string SpellIpv6(Random random, List<string> raws)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        var shape = random.Next(5);
        if (shape == 0)
        {
            Array.Clear(bytes, 4, 8); // a long run of zeros: the "::" form
        }

        string address;
        if (shape == 1)
        {
            var v4 = string.Join('.', bytes.Take(4).Select(b => b.ToString(CultureInfo.InvariantCulture)));
            address = "::ffff:" + v4;
            raws.Add(v4);
        }
        else if (shape == 2)
        {
            address = string.Join(':', Enumerable.Range(0, 8).Select(g => ((bytes[2 * g] << 8) | bytes[(2 * g) + 1]).ToString("x4", CultureInfo.InvariantCulture)));
        }
        else
        {
            address = new IPAddress(bytes).ToString();
        }

        if (random.Next(3) == 0)
        {
            address = address.ToUpperInvariant();
        }

        raws.Add(address);
        return Format(Pick(random, [.. AroundAny, .. AroundIp]), address, "[" + address + "]");
    }

    private static string SpellEmail(Random random, List<string> raws)
    {
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        string Word(int min, int max) => new([.. Enumerable.Range(0, random.Next(min, max)).Select(_ => letters[random.Next(letters.Length)])]);
        var local = Word(1, 4) + Pick(random, ["", ".", "_", "+", "-", "1", "'"]) + Word(1, 8);
        var domain = string.Join('.', Enumerable.Range(0, random.Next(1, 3)).Select(_ => Word(2, 9))) + "." + Pick(random, ["org", "com", "co.uk", "de", "io"]);
        var address = local + "@" + domain;
        var encoded = local + "%40" + domain;
        var entity = local + "&#64;" + domain;
        raws.AddRange([address, encoded, entity, local + "&#x40;" + domain, local + "＠" + domain]);
        return Format(Pick(random, [.. AroundAny, .. AroundEmail]), address, address, encoded, entity, local + "&#x40;" + domain, local + "＠" + domain);
    }

    private static string Format(string template, params object[] values) => string.Format(CultureInfo.InvariantCulture, template, values);

    private static T Pick<T>(Random random, T[] choices) => choices[random.Next(choices.Length)];
}
