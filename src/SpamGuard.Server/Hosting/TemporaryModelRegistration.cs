// TEMPORARY until SpamGuard.ML lands; delete on merge.
namespace SpamGuard.ML;

public static class MlHostingExtensions
{
    public static IServiceCollection AddSpamGuardModel(this IServiceCollection s) => s;
}
