namespace SpamGuard.Core.Features;

/// <summary>
/// Everything the classifier sees of one comment. Built by <see cref="CommentFeatureExtractor"/> for training rows
/// and live checks alike. It holds no raw personal data: no IP, no e-mail local part, no author name.
/// </summary>
public sealed record CommentFeatures
{
    /// <summary>Normalised content (see <see cref="TextNormalizer"/>).</summary>
    public required string Text { get; init; }

    /// <summary>Space-separated link hosts found in the content.</summary>
    public required string LinkHosts { get; init; }

    /// <summary>The same hosts as a list, in order of appearance (not a model input).</summary>
    public IReadOnlyList<string> LinkHostList { get; init; } = [];

    /// <summary>Space-separated tokens describing the author fields: e-mail domain, URL host, name shape.</summary>
    public required string AuthorTokens { get; init; }

    /// <summary>Space-separated names of the <see cref="SpamCues"/> the content shows. Only models trained with cues
    /// read it; older models ignore it.</summary>
    public string CueTokens { get; init; } = "";

    /// <summary>Dense style statistics, in the order of <see cref="TextStatistics.Names"/>.</summary>
    public required float[] Statistics { get; init; }
}
