using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SpamGuard.Core.Scoring;
using SpamGuard.ML.Scoring;

namespace SpamGuard.ML;

public static class MlHostingExtensions
{
    /// <summary>
    /// Registers the <see cref="SpamClassifier"/> as the <see cref="ISpamClassifier"/> and a start-up step that loads
    /// the model named by <see cref="ModelOptions"/>; a missing or corrupt model stops start-up with a clear error.
    /// </summary>
    public static IServiceCollection AddSpamGuardModel(this IServiceCollection services)
    {
        services.AddOptions<ModelOptions>().BindConfiguration(ModelOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<ModelOptions>, ModelOptionsValidator>());
        services.TryAddSingleton<SpamClassifier>();
        services.TryAddSingleton<ISpamClassifier>(sp => sp.GetRequiredService<SpamClassifier>());
        services.TryAddSingleton<Registry.ModelRegistry>();
        services.AddHostedService<ModelLoader>();
        services.AddHostedService<ModelSyncService>();
        services.AddOptions<Retraining.RetrainingOptions>().BindConfiguration(Retraining.RetrainingOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<Retraining.RetrainingOptions>, Retraining.RetrainingOptionsValidator>());
        services.TryAddSingleton<Retraining.RetrainCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<Retraining.RetrainCoordinator>());
        return services;
    }
}
