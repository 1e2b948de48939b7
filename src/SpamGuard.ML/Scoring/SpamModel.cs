using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;
using SpamGuard.Core.Scoring;

namespace SpamGuard.ML.Scoring;

/// <summary>
/// One loaded model version: the ML.NET transformer, a pool of prediction engines (an engine is not thread-safe
/// and costly to build, so requests borrow one), the linear weights and the meaning of every feature slot.
/// Immutable once built, so swapping versions is one reference assignment.
/// </summary>
public sealed class SpamModel : IScoringModel
{
    private readonly ObjectPool<Lease> _pool;
    private readonly float[] _weights;
    private readonly FeatureSlot[] _slots;
    private readonly int _statisticsOffset;

    internal SpamModel(MLContext ml, ITransformer transformer, DataViewSchema inputSchema, string version,
        PlattCalibration calibration, Thresholds thresholds)
    {
        Transformer = transformer;
        Version = version;
        Calibration = calibration;
        Thresholds = thresholds;

        var linear = LinearWeights.From(transformer);
        var outputSchema = transformer.GetOutputSchema(inputSchema);
        _slots = FeatureSlots.Read(outputSchema);
        if (linear.Weights.Length != _slots.Length)
        {
            throw new InvalidOperationException(
                $"The model weighs {linear.Weights.Length} features but its pipeline produces {_slots.Length}.");
        }

        _weights = linear.Weights;
        _statisticsOffset = _slots.Length - ModelInput.StatisticCount;
        Bias = linear.Bias;
        _pool = new DefaultObjectPool<Lease>(new LeasePolicy(ml, transformer, inputSchema), Environment.ProcessorCount * 4);
    }

    public string Version { get; }

    public Thresholds Thresholds { get; }

    public PlattCalibration Calibration { get; }

    internal ITransformer Transformer { get; }

    internal float Bias { get; }

    /// <summary>Number of features the linear model weighs.</summary>
    public int FeatureCount => _weights.Length;

    public ModelScore Score(CommentFeatures features, int maxContributions)
    {
        ArgumentNullException.ThrowIfNull(features);
        var lease = _pool.Get();
        try
        {
            lease.Input.Fill(features);
            lease.Engine.Predict(lease.Input, ref lease.Output);
            var logit = Calibration.ToLogit(lease.Output.Score);
            var baseLogit = Calibration.ToLogit(Bias);
            return new ModelScore(logit, baseLogit, TopContributions(lease.Output.Features, features, maxContributions));
        }
        finally
        {
            _pool.Return(lease);
        }
    }

    /// <summary>Raw margin only, for evaluation loops that need no explanation.</summary>
    public double Margin(CommentFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var lease = _pool.Get();
        try
        {
            lease.Input.Fill(features);
            lease.Engine.Predict(lease.Input, ref lease.Output);
            return lease.Output.Score;
        }
        finally
        {
            _pool.Return(lease);
        }
    }

    // Contribution of slot i is Slope * w_i * x_i: these plus the calibrated bias sum exactly to the logit.
    private List<Signal> TopContributions(VBuffer<float> vector, CommentFeatures features, int max)
    {
        var top = new List<(int Slot, double Weight)>(max + 1);
        var values = vector.GetValues();
        var indices = vector.GetIndices();
        var dense = vector.IsDense;
        for (var k = 0; k < values.Length; k++)
        {
            var value = values[k];
            if (value == 0)
            {
                continue;
            }

            var slot = dense ? k : indices[k];
            var contribution = Calibration.Slope * _weights[slot] * value;
            if (contribution == 0 || (top.Count == max && Math.Abs(contribution) <= Math.Abs(top[^1].Weight)))
            {
                continue;
            }

            var at = top.Count;
            while (at > 0 && Math.Abs(top[at - 1].Weight) < Math.Abs(contribution))
            {
                at--;
            }

            top.Insert(at, (slot, contribution));
            if (top.Count > max)
            {
                top.RemoveAt(max);
            }
        }

        var signals = new List<Signal>(top.Count);
        foreach (var (slot, weight) in top)
        {
            var info = _slots[slot];
            var evidence = info.StatisticIndex >= 0
                ? FeatureSlots.StatisticEvidence(info.StatisticIndex, features.Statistics[info.StatisticIndex])
                : info.Evidence;
            signals.Add(new Signal(info.Name, info.Kind, weight, evidence));
        }

        return signals;
    }

    private sealed class Lease(PredictionEngine<ModelInput, ModelOutput> engine)
    {
        public readonly PredictionEngine<ModelInput, ModelOutput> Engine = engine;
        public readonly ModelInput Input = new();
        public ModelOutput Output = new();
    }

    private sealed class LeasePolicy(MLContext ml, ITransformer transformer, DataViewSchema inputSchema)
        : PooledObjectPolicy<Lease>
    {
        public override Lease Create() =>
            new(ml.Model.CreatePredictionEngine<ModelInput, ModelOutput>(transformer, inputSchema: inputSchema));

        public override bool Return(Lease obj) => true;
    }
}
