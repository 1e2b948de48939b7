using SpamGuard.Core.Keys;
using SpamGuard.Testing.Contracts;

namespace SpamGuard.Core.Tests;

public sealed class InProcessSiteKeyStoreTests : SiteKeyStoreContract
{
    protected override Task<ISiteKeyStore> EmptyStoreAsync() => Task.FromResult<ISiteKeyStore>(new InProcessSiteKeyStore());
}
