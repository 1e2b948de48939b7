using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers;

namespace SpamGuard.ML.Scoring;

/// <summary>Finds the linear model at the end of a pipeline, whether freshly trained or loaded from a file.</summary>
internal sealed record LinearWeights(float[] Weights, float Bias)
{
    public static LinearWeights From(ITransformer transformer)
    {
        var last = transformer;
        while (last is IEnumerable<ITransformer> chain && chain.LastOrDefault() is { } inner)
        {
            last = inner;
        }

        if (last is ISingleFeaturePredictionTransformer<object> { Model: LinearBinaryModelParameters linear })
        {
            return new LinearWeights([.. linear.Weights], linear.Bias);
        }

        if (last is ISingleFeaturePredictionTransformer<object> { Model: CalibratedModelParametersBase { SubModel: LinearBinaryModelParameters calibrated } })
        {
            return new LinearWeights([.. calibrated.Weights], calibrated.Bias);
        }

        throw new InvalidOperationException("The model does not end in a linear binary classifier, so it cannot be explained.");
    }
}
