using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core;

public static class CoreHostingExtensions
{
    /// <summary>Registers <see cref="ScoringOptions"/> (validated at start-up) and the <see cref="CommentScorer"/>.</summary>
    public static IServiceCollection AddSpamGuardCore(this IServiceCollection services)
    {
        services.AddOptions<ScoringOptions>().BindConfiguration(ScoringOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScoringOptions>, ScoringOptionsValidator>());
        services.TryAddSingleton<CommentScorer>();
        return services;
    }
}
