namespace SpamGuard.Cli.Tests.Infrastructure;

/// <summary>Tests that run the .NET SDK itself (<c>dotnet run</c>, <c>dotnet pack</c>, <c>dotnet tool install</c>) take
/// turns: two MSBuild runs at once on a 2-core CI machine only make both slower.</summary>
[CollectionDefinition(Name)]
public sealed class SdkCommands
{
    public const string Name = "dotnet SDK commands";
}
