using System.Diagnostics;

namespace SpamGuard.Core.Diagnostics;

/// <summary>The service's own spans (the "SpamGuard" activity source), exported only when tracing is configured:
/// without a listener <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and costs nothing.</summary>
public static class SpamGuardActivity
{
    public const string SourceName = "SpamGuard";

    public static readonly ActivitySource Source = new(SourceName);
}
