using System.Text.RegularExpressions;
using System.Xml.Linq;
using Grpc.Core;
using Grpc.Net.Client;
using SpamGuard.Cli.Tests.Infrastructure;
using SpamGuard.Contracts.V1;
using SpamGuard.Testing;

namespace SpamGuard.Cli.Tests;

/// <summary>
/// The settings docs/deploy/compose.yaml and the container image (SpamGuard.Server.csproj) give the server are real
/// settings that do what their comments say: the server binary started with exactly that environment, on a real
/// redis-server, keeps its state in Redis and refuses unkeyed calls. (The image itself is not built here: its base
/// image comes from a registry this machine cannot reach; see docs/operations.md.)
/// </summary>
public sealed partial class DeploySettingsTests
{
    private const string AdminKey = "compose-test-admin-key-long-enough";

    [Fact]
    public async Task ComposeAndImageEnvironment_StartTheServerOnRedis_WithSiteKeysRequired()
    {
        // Arrange: the image's variables, then the compose service's; Redis and the admin key become the test's.
        // The harness's own arguments (loopback ports, a temporary data root) win over the environment.
        await using var redis = await RedisServerProcess.StartAsync();
        var environment = ImageEnvironment().Concat(ComposeEnvironment()).ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("redis:6379", environment["Redis__Configuration"]);
        environment["Redis__Configuration"] = redis.Endpoint;
        Assert.StartsWith("${SPAMGUARD_ADMIN_KEY:?", environment["Admin__Key"], StringComparison.Ordinal);
        environment["Admin__Key"] = AdminKey;

        // Act
        using var server = await ServerProcess.StartAsync(TinyModel.ZipPath, environment);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var filter = new CommentFilter.CommentFilterClient(channel);
        var keyless = await Assert.ThrowsAsync<RpcException>(() => filter.CheckCommentAsync(
            new CheckCommentRequest { Site = "https://blog.example/", Content = "no key yet" }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        var key = (await new ModelAdmin.ModelAdminClient(channel).CreateSiteKeyAsync(new CreateSiteKeyRequest { Sites = { "https://blog.example/" } },
            new Metadata { { "authorization", $"Bearer {AdminKey}" } }, deadline: DateTime.UtcNow.AddSeconds(10))).Key;
        var keyed = await filter.CheckCommentAsync(new CheckCommentRequest { Site = "https://blog.example/", UserIp = "203.0.113.9", Content = "with the key" },
            new Metadata { { "authorization", $"Bearer {key}" } }, deadline: DateTime.UtcNow.AddSeconds(10));
        var keysInRedis = await ChildProcess.RunProgramAsync("redis-cli", ["-p", redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "dbsize"],
            TimeSpan.FromSeconds(10), redis.Directory);

        // Assert: SiteKeys__Mode=Required refuses before any key exists (OpenUntilFirstKey would let it in).
        Assert.Equal(StatusCode.Unauthenticated, keyless.StatusCode);
        Assert.False(string.IsNullOrEmpty(keyed.CheckId));
        // The site key went to Redis, not to a local file: Redis__Configuration took effect.
        Assert.True(int.Parse(keysInRedis.StdOut.Trim(), System.Globalization.CultureInfo.InvariantCulture) > 0, keysInRedis.ToString());
    }

    [Fact]
    public void ImageEnvironment_ListensOnEveryInterface_OnTheImagesPorts()
    {
        var project = XDocument.Load(RepositoryFiles.PathOf("src", "SpamGuard.Server", "SpamGuard.Server.csproj"));
        var ports = project.Descendants("ContainerPort").Select(p => int.Parse(p.Attribute("Include")!.Value, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        var environment = ImageEnvironment().ToDictionary(p => p.Key, p => p.Value);

        var grpc = new Uri(environment["Kestrel__Endpoints__Grpc__Url"]);
        var http = new Uri(environment["Kestrel__Endpoints__Http__Url"]);

        Assert.Equal("0.0.0.0", grpc.Host);
        Assert.Equal("0.0.0.0", http.Host);
        Assert.Equal(ports, new[] { grpc.Port, http.Port }.Order());
    }

    private static IEnumerable<KeyValuePair<string, string>> ImageEnvironment() =>
        XDocument.Load(RepositoryFiles.PathOf("src", "SpamGuard.Server", "SpamGuard.Server.csproj"))
            .Descendants("ContainerEnvironmentVariable")
            .Select(e => KeyValuePair.Create(e.Attribute("Include")!.Value, e.Attribute("Value")!.Value));

    /// <summary>The <c>environment:</c> map of the compose file's <c>spamguard</c> service (block style, one
    /// <c>Name: value</c> a line, as the file is written).</summary>
    private static List<KeyValuePair<string, string>> ComposeEnvironment()
    {
        var lines = File.ReadAllLines(RepositoryFiles.PathOf("docs", "deploy", "compose.yaml"));
        var service = Array.IndexOf(lines, "  spamguard:");
        Assert.True(service >= 0, "compose.yaml has no spamguard service");
        var start = Array.FindIndex(lines, service, l => l == "    environment:");
        Assert.True(start > service, "the spamguard service has no environment");
        var pairs = lines.Skip(start + 1)
            .TakeWhile(l => l.StartsWith("      ", StringComparison.Ordinal))
            .Select(l => EnvironmentLine().Match(l))
            .Where(m => m.Success)
            .Select(m => KeyValuePair.Create(m.Groups["name"].Value, m.Groups["value"].Value))
            .ToList();
        Assert.NotEmpty(pairs);
        return pairs;
    }

    [GeneratedRegex(@"^      (?<name>[A-Za-z_][A-Za-z0-9_]*): (?<value>\S.*)$")]
    private static partial Regex EnvironmentLine();
}
