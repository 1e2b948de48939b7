namespace SpamGuard.Core.Explanations;

public enum SignalKind
{
    Text,
    Link,
    Author,
    Behaviour,
    Rule,
    Reputation,
}

/// <summary>One piece of evidence and how far it moved the score.</summary>
/// <param name="Name">Stable machine name of the feature group ("content.word", "link.host", "rule.honeypot").</param>
/// <param name="Weight">Signed contribution in log-odds of spam; positive pushes toward spam.</param>
/// <param name="Evidence">What fired: a word, phrase, host or value. Never an e-mail address or IP.</param>
public sealed record Signal(string Name, SignalKind Kind, double Weight, string Evidence);
