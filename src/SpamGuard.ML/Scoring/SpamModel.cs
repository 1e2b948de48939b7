using System.Runtime.InteropServices;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;
using SpamGuard.Core.Scoring;

namespace SpamGuard.ML.Scoring;

/// <summary>
/// One loaded model version: the ML.NET transformer, a pool of prediction engines (an engine is not thread-safe
/// and costly to build, so requests borrow one), the linear weights and the meaning of every feature slot.
/// Immutable once built, so swapping versions is one reference assignment.
/// </summary>
public sealed class SpamModel : IScoringModel, IDisposable
{
    private readonly ObjectPool<Lease> _pool;
    private readonly float[] _weights;
    private readonly FeatureSlot[] _slots;
    private readonly int _statisticsOffset;
    private readonly CharGramAttribution _charGrams;
    private readonly CompiledModel _compiled;

    [ThreadStatic]
    private static Dictionary<FeatureSlot, double>? t_bySlot;

    [ThreadStatic]
    private static List<(int Slot, double Contribution)>? t_charGrams;
    private volatile bool _disposed;

    private readonly float[] _statisticReference;
    private readonly double _baseLogit;

    /// <param name="statisticReference">The typical (training-mean) value of each scaled statistic. Statistics are
    /// explained as deviations from it, so "few capitals" counts toward ham and "many" toward spam, and the model's
    /// base log-odds are those of a typical comment. Null: explained against zero.</param>
    internal SpamModel(MLContext ml, ITransformer transformer, DataViewSchema inputSchema, string version,
        PlattCalibration calibration, Thresholds thresholds, IReadOnlyList<float>? statisticReference = null)
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
        _charGrams = new CharGramAttribution(_slots);
        _statisticsOffset = _slots.Length - ModelInput.StatisticCount;
        Bias = linear.Bias;
        _statisticReference = statisticReference is { Count: ModelInput.StatisticCount } reference
            ? [.. reference]
            : new float[ModelInput.StatisticCount];
        var referenceMargin = (double)Bias;
        for (var j = 0; j < ModelInput.StatisticCount; j++)
        {
            referenceMargin += _weights[_statisticsOffset + j] * _statisticReference[j];
        }

        _baseLogit = calibration.ToLogit(referenceMargin);
        // The provider's pool disposes the engines it holds when it is disposed, and any returned afterwards. Engines
        // are built on first use: only the reference path (and the check below) needs them.
        _pool = new DefaultObjectPoolProvider { MaximumRetained = Environment.ProcessorCount * 4 }
            .Create(new LeasePolicy(ml, transformer, inputSchema));
        _compiled = CompiledModel.Compile(LoadedForm(ml, transformer, inputSchema), inputSchema, outputSchema, linear);
        CheckCompiledAgreesWithReference();
    }

    // The compiled scorer reads the pipeline in the shape ML.NET gives it when loading a file; a freshly fitted one
    // is brought to that shape by a round trip through memory.
    private static ITransformer LoadedForm(MLContext ml, ITransformer transformer, DataViewSchema inputSchema)
    {
        if (MlNetInternals.IsLoadedForm(transformer))
        {
            return transformer;
        }

        using var stream = new MemoryStream();
        ml.Model.Save(transformer, inputSchema, stream);
        stream.Position = 0;
        return ml.Model.Load(stream, out _);
    }

    /// <summary>A model whose compiled scorer disagrees with ML.NET on a comment that fires every kind of feature
    /// is refused at load, not served with wrong scores (an ML.NET upgrade that changes a featuriser).</summary>
    private void CheckCompiledAgreesWithReference()
    {
        var probe = CommentFeatureExtractor.Extract(
            "WINNER!! Café déjà-vu, txt WIN to 80082 for £100: http://prize-shop.example/claim 😀 free free entry",
            "BOB 99", "mail.example", new Uri("http://my-site.example/"));
        var compiled = Margin(probe);
        var reference = MarginReference(probe);
        if (Math.Abs(compiled - reference) > 1e-4 * (1 + Math.Abs(reference)))
        {
            throw new InvalidOperationException(
                $"The compiled scorer gives margin {compiled} where ML.NET gives {reference} for the load-time probe.");
        }
    }

    public string Version { get; }

    public Thresholds Thresholds { get; }

    public PlattCalibration Calibration { get; }

    internal ITransformer Transformer { get; }

    internal float Bias { get; }

    internal IReadOnlyList<float> StatisticReference => _statisticReference;

    /// <summary>Number of features the linear model weighs.</summary>
    public int FeatureCount => _weights.Length;

    /// <summary>Scores through the compiled scorer: the comment is featurised once into buffers reused by this thread,
    /// and the margin and the contributions come from that one vector.</summary>
    public ModelScore Score(CommentFeatures features, int maxContributions)
    {
        ArgumentNullException.ThrowIfNull(features);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var vector = _compiled.Featurize(features);
        var margin = _compiled.Margin(vector);
        var top = TopContributions(vector.Indices.AsSpan(0, vector.Count), vector.Values.AsSpan(0, vector.Count), vector.Statistics, features, maxContributions);
        return new ModelScore(Calibration.ToLogit(margin), _baseLogit, top);
    }

    /// <summary>Scores through ML.NET's prediction engine: the reference the compiled scorer is tested against.</summary>
    public ModelScore ScoreReference(CommentFeatures features, int maxContributions)
    {
        ArgumentNullException.ThrowIfNull(features);
        return Predict(features, output =>
        {
            var vector = output.Features;
            var values = vector.GetValues();
            var indices = vector.GetIndices();
            var sparseIndices = new List<int>(values.Length);
            var sparseValues = new List<float>(values.Length);
            for (var k = 0; k < values.Length; k++)
            {
                var slot = vector.IsDense ? k : indices[k];
                if (slot >= _statisticsOffset)
                {
                    break;
                }

                sparseIndices.Add(slot);
                sparseValues.Add(values[k]);
            }

            var statistics = new float[ModelInput.StatisticCount];
            for (var j = 0; j < statistics.Length; j++)
            {
                statistics[j] = vector.GetItemOrDefault(_statisticsOffset + j);
            }

            return new ModelScore(Calibration.ToLogit(output.Score), _baseLogit,
                TopContributions(CollectionsMarshal.AsSpan(sparseIndices), CollectionsMarshal.AsSpan(sparseValues), statistics, features, maxContributions));
        });
    }

    /// <summary>This model scored through ML.NET's prediction engine (<see cref="ScoreReference"/>), for comparing
    /// the compiled scorer with its reference end to end (<c>spamguard evaluate --reference</c>).</summary>
    public IScoringModel Reference => new ReferenceModel(this);

    /// <summary>Raw margin only, for evaluation loops that need no explanation (compiled scorer).</summary>
    public double Margin(CommentFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _compiled.Margin(_compiled.Featurize(features));
    }

    /// <summary>Raw margin from ML.NET's prediction engine (the reference).</summary>
    public double MarginReference(CommentFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return Predict(features, static output => (double)output.Score);
    }

    /// <summary>Runs one prediction on a borrowed engine; the output is only valid inside <paramref name="read"/>.</summary>
    private T Predict<T>(CommentFeatures features, Func<ModelOutput, T> read)
    {
        var lease = _pool.Get();
        try
        {
            lease.Input.Fill(features);
            lease.Engine.Predict(lease.Input, ref lease.Output);
            return read(lease.Output);
        }
        finally
        {
            _pool.Return(lease);
        }
    }

    // Contribution of sparse slot i is Slope * w_i * x_i, of statistic j Slope * w_j * (x_j - reference_j): these plus
    // the base log-odds (bias and reference statistics) sum exactly to the logit. Every non-zero slot is gathered
    // into its signal before the strongest are chosen, so a word made of many small n-grams ranks by its total.
    private List<Signal> TopContributions(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, ReadOnlySpan<float> statistics,
        CommentFeatures features, int max)
    {
        if (max <= 0)
        {
            return [];
        }

        // Keyed by slot description: slots that mean the same thing share one (see FeatureSlots.Read). Both are
        // reused by this thread (cleared, they keep insertion order, so the result is as with new ones).
        var bySlot = t_bySlot ??= new Dictionary<FeatureSlot, double>(ReferenceEqualityComparer.Instance);
        var charGrams = t_charGrams ??= [];
        bySlot.Clear();
        charGrams.Clear();
        for (var k = 0; k < values.Length; k++)
        {
            var slot = indices[k];
            if (values[k] == 0)
            {
                continue;
            }

            var contribution = Calibration.Slope * _weights[slot] * values[k];
            var info = _slots[slot];
            if (info.CharGram is not null)
            {
                charGrams.Add((slot, contribution));
            }
            else
            {
                CollectionsMarshal.GetValueRefOrAddDefault(bySlot, info, out _) += contribution;
            }
        }

        var top = new List<Signal>(max + 1);
        foreach (var (info, weight) in bySlot)
        {
            Keep(top, max, info.Name, info.Kind, weight, info.Evidence);
        }

        // Character n-grams are shown as the words they came from ("subscribe", not "scri", "crib", "ribe").
        var (perWord, remainder) = _charGrams.Attribute(features.Text, charGrams);
        foreach (var (word, weight) in perWord)
        {
            Keep(top, max, FeatureSlots.CharsName, SignalKind.Text, weight, word);
        }

        Keep(top, max, FeatureSlots.CharsName, SignalKind.Text, remainder, "other character patterns");
        for (var j = 0; j < ModelInput.StatisticCount; j++)
        {
            var slot = _statisticsOffset + j;
            var info = _slots[slot];
            var weight = Calibration.Slope * _weights[slot] * (statistics[j] - _statisticReference[j]);
            if (Kept(top, max, weight))
            {
                Keep(top, max, info.Name, info.Kind, weight, FeatureSlots.StatisticEvidence(j, features.Statistics[j]));
            }
        }

        return top;
    }

    /// <summary>Whether a signal of <paramref name="weight"/> would make the top <paramref name="max"/>; asked before
    /// building one, since most of a comment's signals do not.</summary>
    private static bool Kept(List<Signal> top, int max, double weight) =>
        weight != 0 && (top.Count < max || Math.Abs(weight) > Math.Abs(top[^1].Weight));

    /// <summary>Inserts the signal into <paramref name="top"/>, strongest first, keeping at most <paramref name="max"/>.</summary>
    private static void Keep(List<Signal> top, int max, string name, SignalKind kind, double weight, string evidence)
    {
        if (!Kept(top, max, weight))
        {
            return;
        }

        var at = top.Count;
        while (at > 0 && Math.Abs(top[at - 1].Weight) < Math.Abs(weight))
        {
            at--;
        }

        top.Insert(at, new Signal(name, kind, weight, evidence));
        if (top.Count > max)
        {
            top.RemoveAt(max);
        }
    }

    /// <summary>
    /// Releases the pooled prediction engines. Only when no check can still use this model: at shutdown, not when a
    /// newer version is activated (a check may have read this one just before the swap).
    /// </summary>
    public void Dispose()
    {
        // The compiled scorer holds nothing to release, but a disposed model is not scored with, whichever path.
        _disposed = true;
        (_pool as IDisposable)?.Dispose();
    }

    private sealed class ReferenceModel(SpamModel model) : IScoringModel
    {
        public string Version => model.Version;

        public Thresholds Thresholds => model.Thresholds;

        public ModelScore Score(CommentFeatures features, int maxContributions) => model.ScoreReference(features, maxContributions);
    }

    private sealed class Lease(PredictionEngine<ModelInput, ModelOutput> engine) : IDisposable
    {
        public readonly PredictionEngine<ModelInput, ModelOutput> Engine = engine;
        public readonly ModelInput Input = new();
        public ModelOutput Output = new();

        public void Dispose() => Engine.Dispose();
    }

    private sealed class LeasePolicy(MLContext ml, ITransformer transformer, DataViewSchema inputSchema)
        : PooledObjectPolicy<Lease>
    {
        public override Lease Create() =>
            new(ml.Model.CreatePredictionEngine<ModelInput, ModelOutput>(transformer, inputSchema: inputSchema));

        public override bool Return(Lease obj) => true;
    }
}
