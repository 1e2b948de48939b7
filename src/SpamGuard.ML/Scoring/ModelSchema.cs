using Microsoft.ML.Data;
using SpamGuard.Core.Features;

namespace SpamGuard.ML.Scoring;

/// <summary>The row ML.NET sees; filled from <see cref="CommentFeatures"/> for training and scoring alike.</summary>
public sealed class ModelInput
{
    public const int StatisticCount = 9;

    public string Text { get; set; } = "";

    public string LinkHosts { get; set; } = "";

    public string AuthorTokens { get; set; } = "";

    /// <summary>Names of the spam cues the content shows; read only by models trained with cues.</summary>
    public string Cues { get; set; } = "";

    [VectorType(StatisticCount)]
    public float[] Statistics { get; set; } = new float[StatisticCount];

    public bool Label { get; set; }

    public void Fill(CommentFeatures features)
    {
        Text = features.Text;
        LinkHosts = features.LinkHosts;
        AuthorTokens = features.AuthorTokens;
        Cues = features.CueTokens;
        Statistics = features.Statistics;
    }

    public static ModelInput From(CommentFeatures features, bool label = false)
    {
        var input = new ModelInput { Label = label };
        input.Fill(features);
        return input;
    }
}

/// <summary>What the engine returns: the raw margin and the feature vector the linear model weighed.</summary>
public sealed class ModelOutput
{
    /// <summary>Uncalibrated margin w·x + b.</summary>
    public float Score { get; set; }

    public VBuffer<float> Features { get; set; }
}

internal static class ColumnNames
{
    public const string TextFeatures = "TextFeatures";
    public const string LinkFeatures = "LinkFeatures";
    public const string AuthorFeatures = "AuthorFeatures";
    public const string CueFeatures = "CueFeatures";
    public const string StatisticFeatures = "StatisticFeatures";
    public const string Features = "Features";

    /// <summary>In the order they are concatenated into <see cref="Features"/>; a model may lack the token groups
    /// and the cues. Statistics stay last: <see cref="SpamModel"/> finds them at the end of the vector.</summary>
    public static readonly string[] FeatureGroups = [TextFeatures, LinkFeatures, AuthorFeatures, CueFeatures, StatisticFeatures];
}
