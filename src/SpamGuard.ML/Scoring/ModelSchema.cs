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

/// <summary>A training row with its weight (<see cref="Training.TrainerSettings.BalanceClasses"/>); models are fitted
/// on these but score <see cref="ModelInput"/>, which has no weight.</summary>
internal sealed class WeightedModelInput
{
    public string Text { get; set; } = "";

    public string LinkHosts { get; set; } = "";

    public string AuthorTokens { get; set; } = "";

    public string Cues { get; set; } = "";

    [VectorType(ModelInput.StatisticCount)]
    public float[] Statistics { get; set; } = new float[ModelInput.StatisticCount];

    public bool Label { get; set; }

    public float Weight { get; set; } = 1f;

    public static WeightedModelInput From(CommentFeatures features, bool label, float weight) => new()
    {
        Text = features.Text,
        LinkHosts = features.LinkHosts,
        AuthorTokens = features.AuthorTokens,
        Cues = features.CueTokens,
        Statistics = features.Statistics,
        Label = label,
        Weight = weight,
    };
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

    /// <summary>Per-row training weight; only in the rows a model is fitted on, never needed to score.</summary>
    public const string Weight = "Weight";

    /// <summary>In the order they are concatenated into <see cref="Features"/>; a model may lack the token groups
    /// and the cues. Statistics stay last: <see cref="SpamModel"/> finds them at the end of the vector.</summary>
    public static readonly string[] FeatureGroups = [TextFeatures, LinkFeatures, AuthorFeatures, CueFeatures, StatisticFeatures];
}
