using Microsoft.Extensions.Options;
using SpamGuard.Core.Feedback;
using SpamGuard.Core.Privacy;

namespace SpamGuard.Core.Tests;

public sealed class DataDirectoryTests
{
    [Fact]
    public void PseudonymSecretFile_Unset_FollowsTheDataRoot()
    {
        var privacy = new PrivacyOptions();

        new PseudonymSecretFileUnderDataDirectory(Options.Create(new FeedbackOptions { DataDirectory = "/srv/spamguard" })).PostConfigure(null, privacy);

        Assert.Equal(Path.Combine("/srv/spamguard", DataDirectory.PseudonymSecretFileName), privacy.PseudonymSecretFile);
        Assert.True(new PrivacyOptionsValidator().Validate(null, privacy).Succeeded);
    }

    [Fact]
    public void PseudonymSecretFile_SetOnItsOwn_IsKept()
    {
        var privacy = new PrivacyOptions { PseudonymSecretFile = "/etc/spamguard/secret.key" };

        new PseudonymSecretFileUnderDataDirectory(Options.Create(new FeedbackOptions { DataDirectory = "/srv/spamguard" })).PostConfigure(null, privacy);

        Assert.Equal("/etc/spamguard/secret.key", privacy.PseudonymSecretFile);
    }

    [Fact]
    public void DataDirectory_Relative_IsMadeAbsoluteOnceAgainstTheWorkingDirectory()
    {
        var feedback = new FeedbackOptions { DataDirectory = "state" };

        new DataDirectoryAbsolute().PostConfigure(null, feedback);

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "state"), feedback.DataDirectory);
    }

    [Fact]
    public void DataDirectory_Empty_FailsNamingTheSetting()
    {
        var feedback = new FeedbackOptions { DataDirectory = "" };

        new DataDirectoryAbsolute().PostConfigure(null, feedback);
        var result = new FeedbackOptionsValidator().Validate(null, feedback);

        Assert.StartsWith("Feedback:DataDirectory must not be empty", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
