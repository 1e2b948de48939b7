using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpamGuard.Core.Diagnostics;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Keys;
using SpamGuard.Core.Privacy;
using SpamGuard.Core.Reputation;
using SpamGuard.Core.Scoring;

namespace SpamGuard.Core;

public static class CoreHostingExtensions
{
    /// <summary>
    /// Registers scoring, reputation and feedback with their options (validated at start-up). The stores default to
    /// the in-process ones (reputation and check records in memory, labelled examples in a JSON-lines file); a store
    /// registered before this call (e.g. Redis) wins.
    /// </summary>
    public static IServiceCollection AddSpamGuardCore(this IServiceCollection services)
    {
        services.AddOptions<ScoringOptions>().BindConfiguration(ScoringOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScoringOptions>, ScoringOptionsValidator>());
        services.AddOptions<FeedbackOptions>().BindConfiguration(FeedbackOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FeedbackOptions>, FeedbackOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<FeedbackOptions>, DataDirectoryAbsolute>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<PrivacyOptions>, PseudonymSecretFileUnderDataDirectory>());
        services.AddOptions<ReputationOptions>().BindConfiguration(ReputationOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReputationOptions>, ReputationOptionsValidator>());
        services.AddOptions<PrivacyOptions>().BindConfiguration(PrivacyOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PrivacyOptions>, PrivacyOptionsValidator>());
        // A single switch has no range to check; binding it at start still refuses "SiteKeys:Required=maybe" there.
        services.AddOptions<SiteKeyOptions>().BindConfiguration(SiteKeyOptions.SectionName).ValidateOnStart();

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SpamGuardMetrics>();
        services.TryAddSingleton(sp => new Pseudonymizer(PseudonymSecret.Load(sp.GetRequiredService<IOptions<PrivacyOptions>>().Value)));

        services.TryAddSingleton<IReputationStore>(sp => new InProcessReputationStore(
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<ReputationOptions>>(), sp.GetRequiredService<SpamGuardMetrics>()));
        services.TryAddSingleton<ICheckRecordStore, InProcessCheckRecordStore>();
        AddCheckOutbox(services);
        services.TryAddSingleton<ISiteKeyStore, InProcessSiteKeyStore>();
        services.TryAddSingleton<SiteKeyService>();
        services.TryAddSingleton<SiteKeyGate>();
        services.TryAddSingleton<ISiteUsageStore, InProcessSiteUsageStore>();
        services.TryAddSingleton<SiteUsageCounter>();
        services.TryAddSingleton<ISiteRateLimiter, UnlimitedSiteRateLimiter>();
        services.TryAddSingleton<Models.IModelStore>(sp =>
            new Models.DirectoryModelStore(Path.Combine(sp.GetRequiredService<IOptions<FeedbackOptions>>().Value.DataDirectory, "models")));
        services.TryAddSingleton<ReportRateLimiter>();
        services.TryAddSingleton<SiteCallService>();
        services.TryAddSingleton<ILabelledExampleStore>(sp =>
            new JsonlLabelledExampleStore(Path.Combine(sp.GetRequiredService<IOptions<FeedbackOptions>>().Value.DataDirectory, "examples.jsonl")));
        services.TryAddSingleton(sp => new ReportJournal(sp.GetRequiredService<IOptions<FeedbackOptions>>().Value.DataDirectory, sp.GetRequiredService<TimeProvider>()));

        services.TryAddSingleton<CommentScorer>();
        services.TryAddSingleton<CommentCheckService>();
        services.TryAddSingleton<FeedbackService>();
        services.TryAddSingleton<IDiskCopyPurger, NoDiskCopyPurger>();
        services.TryAddSingleton<ErasureService>();
        services.TryAddSingleton<ReportAdministration>();
        services.AddHostedService<JournalReplayService>();
        services.AddHostedService<CheckOutboxFlushService>();
        services.AddHostedService<SiteKeyGateWarmup>();
        services.AddHostedService<ExampleRetentionSweep>();
        services.AddHostedService<SiteUsageFlushService>();
        return services;
    }

    /// <summary>Puts the local outbox behind whichever check-record store is registered (see <see cref="OutboxedCheckRecordStore"/>).</summary>
    private static void AddCheckOutbox(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(CheckOutbox)))
        {
            return;
        }

        services.AddSingleton(sp =>
        {
            var feedback = sp.GetRequiredService<IOptions<FeedbackOptions>>().Value;
            return new CheckOutbox(feedback.DataDirectory, feedback.OutboxCapacity);
        });
        var shared = services.Last(d => d.ServiceType == typeof(ICheckRecordStore));
        services.Remove(shared);
        services.AddSingleton<ICheckRecordStore>(sp => new OutboxedCheckRecordStore(
            (ICheckRecordStore)(shared.ImplementationInstance ?? shared.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, shared.ImplementationType!)),
            sp.GetRequiredService<CheckOutbox>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SpamGuardMetrics>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<OutboxedCheckRecordStore>>()));
    }
}
