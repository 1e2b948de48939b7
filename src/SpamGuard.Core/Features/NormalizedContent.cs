namespace SpamGuard.Core.Features;

/// <summary>Comment text after normalisation, with the links found in it.</summary>
/// <param name="Text">Plain text: markup removed, entities decoded, invisible characters gone, each link replaced
/// by <see cref="TextNormalizer.LinkPlaceholder"/>, whitespace collapsed.</param>
/// <param name="LinkHosts">Host of every link, lower-cased, without a leading "www.", in order of appearance.</param>
public sealed record NormalizedContent(string Text, IReadOnlyList<string> LinkHosts);
