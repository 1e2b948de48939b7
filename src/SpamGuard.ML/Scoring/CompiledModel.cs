using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Text;
using SpamGuard.Core.Features;

namespace SpamGuard.ML.Scoring;

/// <summary>
/// The trained pipeline compiled into plain tables: per token column, the character map of its normaliser, its
/// word vocabulary and its n-gram vocabularies (with idf) keyed by the n-gram; the statistics' scaling; the linear
/// weights. <see cref="Featurize"/> reproduces ML.NET's feature vector for one comment without building a data view,
/// into buffers reused by the calling thread. ML.NET stays the trainer and the reference (<see cref="SpamModel.ScoreReference"/>).
/// </summary>
internal sealed class CompiledModel
{
    private const char StartMarker = '\u0002';
    private const char EndMarker = '\u0003';

    [ThreadStatic]
    private static FeatureVector? t_vector;

    private readonly TokenColumn[] _columns;
    private readonly float[] _statisticScale;
    private readonly float[] _statisticOffset;
    private readonly float[] _weights;
    private readonly float _bias;

    private CompiledModel(TokenColumn[] columns, int statisticsOffset, float[] scale, float[] offset, float[] weights, float bias)
    {
        _columns = columns;
        StatisticsOffset = statisticsOffset;
        _statisticScale = scale;
        _statisticOffset = offset;
        _weights = weights;
        _bias = bias;
    }

    /// <summary>Index of the first statistic in the feature vector; every slot before it is a token n-gram.</summary>
    public int StatisticsOffset { get; }

    /// <param name="transformer">The pipeline as ML.NET loads it from a file (<see cref="SpamModel"/> round-trips a
    /// freshly fitted one through a stream first, so both have the same shape).</param>
    public static CompiledModel Compile(ITransformer transformer, DataViewSchema inputSchema, DataViewSchema outputSchema, LinearWeights linear)
    {
        var offsets = new Dictionary<string, (int Offset, int Size)>(StringComparer.Ordinal);
        var at = 0;
        foreach (var group in ColumnNames.FeatureGroups)
        {
            if (outputSchema.GetColumnOrNull(group) is { } column)
            {
                var size = column.Type is VectorDataViewType { Size: > 0 } vector
                    ? vector.Size
                    : throw new InvalidOperationException($"Column {group} is not a fixed-size vector.");
                offsets[group] = (at, size);
                at += size;
            }
        }

        var columns = new List<TokenColumn>();
        NormalizingTransformer? statistics = null;
        var schema = inputSchema;
        foreach (var step in (transformer as IEnumerable<ITransformer>) ?? throw new InvalidOperationException("The model is not a transformer chain."))
        {
            if (MlNetInternals.IsTextFeaturizer(step))
            {
                columns.Add(TokenColumn.Compile(step, schema, offsets));
            }
            else if (step is NormalizingTransformer normalizing)
            {
                statistics = normalizing;
            }

            schema = step.GetOutputSchema(schema);
        }

        if (statistics?.GetNormalizerModelParameters(0) is not NormalizingTransformer.AffineNormalizerModelParameters<ImmutableArray<float>> affine
            || !offsets.TryGetValue(ColumnNames.StatisticFeatures, out var statisticSlots)
            || statisticSlots.Size != ModelInput.StatisticCount)
        {
            throw new InvalidOperationException("The model's statistics are not scaled by one affine normaliser.");
        }

        var scale = affine.Scale.IsDefaultOrEmpty ? Enumerable.Repeat(1f, ModelInput.StatisticCount).ToArray() : affine.Scale.ToArray();
        var offset = affine.Offset.IsDefaultOrEmpty ? new float[ModelInput.StatisticCount] : affine.Offset.ToArray();
        var covered = columns.Sum(c => c.Size);
        if (covered != statisticSlots.Offset || statisticSlots.Offset + ModelInput.StatisticCount != linear.Weights.Length)
        {
            throw new InvalidOperationException(
                $"The compiled columns cover {covered} slots before the statistics at {statisticSlots.Offset}, of {linear.Weights.Length} weights.");
        }

        return new CompiledModel([.. columns.OrderBy(c => c.Offset)], statisticSlots.Offset, scale, offset, linear.Weights, linear.Bias);
    }

    /// <summary>The feature vector of <paramref name="features"/>, in a buffer owned by the calling thread: valid until
    /// the thread featurises again, so read it before anything else on this thread scores.</summary>
    public FeatureVector Featurize(CommentFeatures features)
    {
        var vector = t_vector ??= new FeatureVector();
        vector.Clear();
        foreach (var column in _columns)
        {
            column.Featurize(features, vector);
        }

        var raw = features.Statistics;
        for (var j = 0; j < ModelInput.StatisticCount; j++)
        {
            // In float, as ML.NET's affine normaliser computes it.
            vector.Statistics[j] = (raw[j] - _statisticOffset[j]) * _statisticScale[j];
        }

        return vector;
    }

    /// <summary>The raw margin w·x + b of a vector from <see cref="Featurize"/>.</summary>
    public double Margin(FeatureVector vector)
    {
        var margin = (double)_bias;
        var indices = vector.Indices;
        var values = vector.Values;
        for (var k = 0; k < vector.Count; k++)
        {
            margin += (double)_weights[indices[k]] * values[k];
        }

        for (var j = 0; j < ModelInput.StatisticCount; j++)
        {
            margin += (double)_weights[StatisticsOffset + j] * vector.Statistics[j];
        }

        return margin;
    }

    /// <summary>One text featuriser: a token column (content, link hosts, author tokens or cues) to its slots.</summary>
    private sealed class TokenColumn
    {
        private readonly Func<CommentFeatures, string> _input;
        private readonly FeaturizerCharacterMap _map;
        private readonly GramBlock[] _blocks;

        private TokenColumn(Func<CommentFeatures, string> input, FeaturizerCharacterMap map, GramBlock[] blocks, int offset, int size)
        {
            _input = input;
            _map = map;
            _blocks = blocks;
            Offset = offset;
            Size = size;
        }

        public int Offset { get; }

        public int Size { get; }

        public static TokenColumn Compile(ITransformer featurizer, DataViewSchema schema, Dictionary<string, (int Offset, int Size)> offsets)
        {
            var steps = MlNetInternals.Steps(featurizer);
            FeaturizerCharacterMap? map = null;
            string? input = null;
            var producers = new Dictionary<string, ITransformer>(StringComparer.Ordinal);
            var terms = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var separators = new[] { ' ' };
            var markers = true;
            var blocks = new List<(string Column, bool IsChar, NgramVocabulary Vocabulary, string[]? Terms)>();
            var norms = new Dictionary<string, (string Output, bool PlainL2)>(StringComparer.Ordinal);
            (string Output, string[] Inputs)? concat = null;
            foreach (var step in steps)
            {
                switch (step)
                {
                    case TextNormalizingTransformer normalizer:
                        map = FeaturizerCharacterMap.For(MlNetInternals.Settings(normalizer));
                        input ??= MlNetInternals.ColumnPairs(normalizer).Single().Input;
                        break;
                    case WordTokenizingTransformer words:
                        separators = MlNetInternals.Separators(words);
                        input ??= MlNetInternals.ColumnPairs(words).Single().Input;
                        break;
                    case TokenizingByCharactersTransformer chars:
                        markers = MlNetInternals.UsesMarkers(chars);
                        break;
                    case NgramExtractingTransformer ngrams:
                        var (output, source) = MlNetInternals.ColumnPairs(ngrams).Single();
                        var isChar = producers.GetValueOrDefault(source) is TokenizingByCharactersTransformer;
                        blocks.Add((output, isChar, MlNetInternals.Vocabulary(ngrams, 0), isChar ? null : terms[source]));
                        break;
                    case LpNormNormalizingTransformer norm:
                        foreach (var (normOutput, normInput, plain) in MlNetInternals.Norms(norm))
                        {
                            norms[normInput] = (normOutput, plain);
                        }

                        break;
                    case ColumnConcatenatingTransformer concatenating:
                        concat = MlNetInternals.Concatenation(concatenating);
                        break;
                    default:
                        break;
                }

                var nextSchema = step.GetOutputSchema(schema);
                if (step is OneToOneTransformerBase)
                {
                    foreach (var (output, _) in MlNetInternals.ColumnPairs(step))
                    {
                        producers[output] = step;
                        if (step is ValueToKeyMappingTransformer)
                        {
                            var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
                            nextSchema[output].GetKeyValues(ref keyValues);
                            terms[output] = [.. keyValues.DenseValues().Select(v => v.ToString())];
                        }
                    }
                }

                schema = nextSchema;
            }

            if (concat is not { } found || !offsets.TryGetValue(found.Output, out var slots) || input is null)
            {
                throw new InvalidOperationException("A text featuriser of the model does not end in one concatenated column.");
            }

            var (group, sources) = found;

            if (separators is not [' '] || !markers)
            {
                throw new InvalidOperationException("A text featuriser of the model tokenises in a way the compiled scorer does not.");
            }

            var compiled = new List<(int Order, GramBlock Block)>();
            var at = slots.Offset;
            foreach (var (column, isChar, vocabulary, words) in blocks)
            {
                var (final, plainL2) = norms.TryGetValue(column, out var norm) ? norm : (column, false);
                if (norms.ContainsKey(column) && !plainL2)
                {
                    throw new InvalidOperationException("Only L2 normalisation without centring is supported by the compiled scorer.");
                }

                var order = Array.IndexOf(sources, final);
                if (order < 0)
                {
                    throw new InvalidOperationException($"The n-gram column {column} is not part of {group}.");
                }

                compiled.Add((order, new GramBlock(isChar, vocabulary, words, norms.ContainsKey(column))));
            }

            compiled.Sort((a, b) => a.Order.CompareTo(b.Order));
            foreach (var (_, block) in compiled)
            {
                block.Offset = at;
                at += block.Size;
            }

            if (at - slots.Offset != slots.Size)
            {
                throw new InvalidOperationException($"The n-gram vocabularies of {group} have {at - slots.Offset} slots; the model has {slots.Size}.");
            }

            return new TokenColumn(Input(input), map ?? FeaturizerCharacterMap.Identity, [.. compiled.Select(c => c.Block)], slots.Offset, slots.Size);
        }

        private static Func<CommentFeatures, string> Input(string column) => column switch
        {
            nameof(ModelInput.Text) => static f => f.Text,
            nameof(ModelInput.LinkHosts) => static f => f.LinkHosts,
            nameof(ModelInput.AuthorTokens) => static f => f.AuthorTokens,
            nameof(ModelInput.Cues) => static f => f.CueTokens,
            _ => throw new InvalidOperationException($"The model reads an input column {column} that SpamGuard does not fill."),
        };

        public void Featurize(CommentFeatures features, FeatureVector vector)
        {
            var text = _input(features);
            if (text.Length == 0)
            {
                return;
            }

            // Markers around the text for character n-grams: [start] normalised text [end].
            var chars = vector.CharBuffer(text.Length + 2);
            var length = _map.Normalize(text, chars.AsSpan(1));
            if (length == 0)
            {
                return;
            }

            chars[0] = StartMarker;
            chars[length + 1] = EndMarker;
            var normalized = chars.AsSpan(1, length);
            foreach (var block in _blocks)
            {
                if (block.IsChar)
                {
                    block.CountCharGrams(chars.AsSpan(0, length + 2), vector);
                }
                else
                {
                    block.CountWordGrams(normalized, vector);
                }
            }
        }
    }

    /// <summary>One n-gram vocabulary (character or word), its place in the vector, weighting and norm.</summary>
    private sealed class GramBlock
    {
        // Word keys are written as two chars each (high and low 16 bits), so one string dictionary serves both kinds
        // and a lookup is a span of a reused buffer: no allocation per n-gram.
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _grams;
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _terms;
        private readonly int[] _lengths;
        private readonly NgramExtractingEstimator.WeightingCriteria _weighting;
        private readonly double[]? _idf;
        private readonly bool _l2;

        public GramBlock(bool isChar, NgramVocabulary vocabulary, string[]? terms, bool l2)
        {
            IsChar = isChar;
            Size = vocabulary.Grams.Length;
            _weighting = vocabulary.Weighting;
            _idf = vocabulary.Idf;
            _l2 = l2;
            if (_weighting != NgramExtractingEstimator.WeightingCriteria.Tf && (_idf is null || _idf.Length < Size))
            {
                throw new InvalidOperationException("An idf-weighted n-gram vocabulary has no idf per slot.");
            }

            _lengths = [.. Enumerable.Range(1, vocabulary.Levels.Length).Where(n => vocabulary.Levels[n - 1])];
            var grams = new Dictionary<string, int>(Size, StringComparer.Ordinal);
            for (var slot = 0; slot < Size; slot++)
            {
                grams.TryAdd(Encode(vocabulary.Grams[slot], isChar), slot);
            }

            _grams = grams.GetAlternateLookup<ReadOnlySpan<char>>();
            var termTable = new Dictionary<string, int>(terms?.Length ?? 0, StringComparer.Ordinal);
            for (var k = 0; k < (terms?.Length ?? 0); k++)
            {
                // Keys are 1-based; 0 is ML.NET's "missing" key, which an unknown word maps to.
                termTable.TryAdd(terms![k], k + 1);
            }

            _terms = termTable.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public bool IsChar { get; }

        public int Size { get; }

        public int Offset { get; set; }

        private static string Encode(uint[] keys, bool isChar)
        {
            if (isChar)
            {
                // A character's key is its UTF-16 code unit.
                return string.Create(keys.Length, keys, static (span, k) =>
                {
                    for (var i = 0; i < k.Length; i++)
                    {
                        span[i] = (char)k[i];
                    }
                });
            }

            return string.Create(keys.Length * 2, keys, static (span, k) =>
            {
                for (var i = 0; i < k.Length; i++)
                {
                    span[2 * i] = (char)(k[i] >> 16);
                    span[(2 * i) + 1] = (char)k[i];
                }
            });
        }

        public void CountCharGrams(ReadOnlySpan<char> sequence, FeatureVector vector)
        {
            var start = vector.HitCount;
            for (var i = 0; i < sequence.Length; i++)
            {
                foreach (var n in _lengths)
                {
                    if (i + n > sequence.Length)
                    {
                        break;
                    }

                    if (_grams.TryGetValue(sequence.Slice(i, n), out var slot))
                    {
                        vector.AddHit(slot);
                    }
                }
            }

            Emit(vector, start);
        }

        public void CountWordGrams(ReadOnlySpan<char> text, FeatureVector vector)
        {
            // Tokens are the non-empty runs between spaces; each becomes its vocabulary key (0 when unknown, which
            // matches no n-gram, as in ML.NET).
            var keys = vector.KeyBuffer(text.Length + 1);
            var count = 0;
            var rest = text;
            while (rest.Length > 0)
            {
                var space = rest.IndexOf(' ');
                var token = space < 0 ? rest : rest[..space];
                rest = space < 0 ? [] : rest[(space + 1)..];
                if (token.Length == 0)
                {
                    continue;
                }

                var key = _terms.TryGetValue(token, out var k) ? k : 0;
                keys[2 * count] = (char)(key >> 16);
                keys[(2 * count) + 1] = (char)key;
                count++;
            }

            var start = vector.HitCount;
            var sequence = keys.AsSpan(0, 2 * count);
            for (var i = 0; i < count; i++)
            {
                foreach (var n in _lengths)
                {
                    if (i + n > count)
                    {
                        break;
                    }

                    if (_grams.TryGetValue(sequence.Slice(2 * i, 2 * n), out var slot))
                    {
                        vector.AddHit(slot);
                    }
                }
            }

            Emit(vector, start);
        }

        // Hits since start become (slot, weighted count) pairs in slot order, L2-normalised over this block.
        private void Emit(FeatureVector vector, int start)
        {
            var hits = vector.Hits(start);
            if (hits.Length == 0)
            {
                return;
            }

            hits.Sort();
            var first = vector.Count;
            var sumOfSquares = 0.0;
            for (var i = 0; i < hits.Length;)
            {
                var slot = hits[i];
                var run = 1;
                while (i + run < hits.Length && hits[i + run] == slot)
                {
                    run++;
                }

                i += run;
                var value = _weighting switch
                {
                    NgramExtractingEstimator.WeightingCriteria.TfIdf => (float)(run * _idf![slot]),
                    NgramExtractingEstimator.WeightingCriteria.Idf => (float)_idf![slot],
                    _ => run,
                };
                sumOfSquares += (double)value * value;
                vector.Add(Offset + slot, value);
            }

            vector.DropHits(start);
            if (_l2 && sumOfSquares > 0)
            {
                var norm = Math.Sqrt(sumOfSquares);
                var values = vector.Values;
                for (var k = first; k < vector.Count; k++)
                {
                    values[k] = (float)(values[k] / norm);
                }
            }
        }
    }
}

/// <summary>A sparse feature vector and the scratch space that builds it, reused by one thread.</summary>
internal sealed class FeatureVector
{
    private char[] _chars = new char[256];
    private char[] _keys = new char[256];
    private int[] _hits = new int[256];

    public int[] Indices { get; private set; } = new int[128];

    public float[] Values { get; private set; } = new float[128];

    /// <summary>Non-zero n-gram slots, in ascending slot order.</summary>
    public int Count { get; private set; }

    /// <summary>The scaled statistics, the last <see cref="ModelInput.StatisticCount"/> slots.</summary>
    public float[] Statistics { get; } = new float[ModelInput.StatisticCount];

    internal int HitCount { get; private set; }

    public void Clear()
    {
        Count = 0;
        HitCount = 0;
        // A one-off huge comment should not pin its buffers to the thread for ever.
        if (_chars.Length > 1 << 16)
        {
            _chars = new char[256];
            _keys = new char[256];
            _hits = new int[256];
            Indices = new int[128];
            Values = new float[128];
        }
    }

    internal char[] CharBuffer(int length) => _chars.Length >= length ? _chars : _chars = new char[Math.Max(length, _chars.Length * 2)];

    internal char[] KeyBuffer(int tokens) => _keys.Length >= 2 * tokens ? _keys : _keys = new char[Math.Max(2 * tokens, _keys.Length * 2)];

    internal void AddHit(int slot)
    {
        if (HitCount == _hits.Length)
        {
            Array.Resize(ref _hits, _hits.Length * 2);
        }

        _hits[HitCount++] = slot;
    }

    internal Span<int> Hits(int start) => _hits.AsSpan(start, HitCount - start);

    internal void DropHits(int start) => HitCount = start;

    internal void Add(int index, float value)
    {
        if (Count == Indices.Length)
        {
            Indices = [.. Indices, .. new int[Indices.Length]];
            Values = [.. Values, .. new float[Values.Length]];
        }

        Indices[Count] = index;
        Values[Count++] = value;
    }
}
