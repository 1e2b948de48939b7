using Grpc.Core;
using SpamGuard.Contracts.V1;

namespace SpamGuard.Server.Tests.Infrastructure;

/// <summary>The admin key the tests start hosts with, and site keys created through the real admin service.</summary>
internal static class SiteKeysForTests
{
    public const string AdminKey = "an-admin-key-long-enough-for-the-test";

    public const string OtherSite = "https://other-blog.example/";

    public static Metadata Bearer(string key) => new() { { "authorization", "Bearer " + key } };

    public static async Task<string> CreateKeyAsync(SpamGuardHost host, string site) =>
        (await new ModelAdmin.ModelAdminClient(host.Channel).CreateSiteKeyAsync(new CreateSiteKeyRequest { Sites = { site } }, Bearer(AdminKey), deadline: SpamGuardHost.Deadline)).Key;
}
