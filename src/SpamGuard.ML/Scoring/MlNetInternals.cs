using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Text;

namespace SpamGuard.ML.Scoring;

/// <summary>
/// The few fitted values ML.NET keeps private that the compiled scorer needs: the steps of a loaded text featuriser,
/// the n-gram vocabularies (as key sequences: their slot names cannot tell surrogates apart, nor a word containing
/// '|' from two words) with their inverse document frequencies, and each step's settings. Read once per model load,
/// by name, for the ML.NET version in Directory.Packages.props; a renamed member fails the load with a clear
/// message, and <see cref="CompiledModel"/> checks its own output against ML.NET before it is used.
/// </summary>
internal static class MlNetInternals
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    /// <summary>Whether every text featuriser of the pipeline keeps its steps as a chain, as one loaded from a file does.</summary>
    public static bool IsLoadedForm(ITransformer pipeline) =>
        pipeline is IEnumerable<ITransformer> steps
        && steps.Where(IsTextFeaturizer).All(step => Field(step, "_chain") is IEnumerable<ITransformer>);

    public static bool IsTextFeaturizer(ITransformer step) =>
        step.GetType().FullName?.StartsWith("Microsoft.ML.Transforms.Text.TextFeaturizingEstimator", StringComparison.Ordinal) == true;

    /// <summary>The steps of a text featuriser as loaded from a file (normaliser, tokenisers, n-grams, norm, concat).</summary>
    public static IReadOnlyList<ITransformer> Steps(ITransformer featurizer) =>
        Field(featurizer, "_chain") is IEnumerable<ITransformer> chain
            ? [.. Flatten(chain)]
            : throw Unsupported(featurizer, "_chain");

    private static IEnumerable<ITransformer> Flatten(IEnumerable<ITransformer> chain)
    {
        foreach (var step in chain)
        {
            if (step is IEnumerable<ITransformer> inner)
            {
                foreach (var nested in Flatten(inner))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return step;
            }
        }
    }

    /// <summary>(output, input) column names of a one-to-one transformer.</summary>
    public static (string Output, string Input)[] ColumnPairs(ITransformer step) =>
        Field(step, "ColumnPairs") is (string, string)[] pairs ? pairs : throw Unsupported(step, "ColumnPairs");

    public static NormalizerSettings Settings(TextNormalizingTransformer normalizer) => new(
        (TextNormalizingEstimator.CaseMode)Field(normalizer, "_caseMode")!,
        (bool)Field(normalizer, "_keepDiacritics")!,
        (bool)Field(normalizer, "_keepPunctuations")!,
        (bool)Field(normalizer, "_keepNumbers")!);

    public static bool UsesMarkers(TokenizingByCharactersTransformer tokenizer) => (bool)Field(tokenizer, "_useMarkerChars")!;

    /// <summary>The separators of the word tokeniser's single column.</summary>
    public static char[] Separators(WordTokenizingTransformer tokenizer)
    {
        if (Field(tokenizer, "_columns") is not Array { Length: 1 } columns || columns.GetValue(0) is not { } column)
        {
            throw Unsupported(tokenizer, "_columns");
        }

        return Member(column, "SeparatorsArray") as char[] ?? throw Unsupported(tokenizer, "SeparatorsArray");
    }

    /// <summary>The output column of a concatenation and its sources, in order.</summary>
    public static (string Output, string[] Inputs) Concatenation(ITransformer concat) =>
        Member(concat, "Columns") is IReadOnlyCollection<(string, string[])> { Count: 1 } columns
            ? columns.Single()
            : throw Unsupported(concat, "Columns");

    /// <summary>Per column: (output, input, L2 without centring) of an Lp-norm step.</summary>
    public static IReadOnlyList<(string Output, string Input, bool PlainL2)> Norms(LpNormNormalizingTransformer norm)
    {
        if (Field(norm, "_columns") is not Array columns)
        {
            throw Unsupported(norm, "_columns");
        }

        var result = new List<(string, string, bool)>();
        foreach (var column in columns)
        {
            var kind = Member(column!, "Norm")?.ToString();
            var centred = Member(column!, "EnsureZeroMean") is true || Member(column!, "Scale") is not 1f;
            result.Add(((string)Member(column!, "Name")!, (string)Member(column!, "InputColumnName")!, kind == "L2" && !centred));
        }

        return result;
    }

    /// <summary>One column's n-gram vocabulary: key sequence of every slot, in slot order, and its weighting.</summary>
    public static NgramVocabulary Vocabulary(NgramExtractingTransformer ngrams, int column)
    {
        var pools = Field(ngrams, "_ngramMaps") as Array ?? throw Unsupported(ngrams, "_ngramMaps");
        var infos = Field(ngrams, "_transformInfos") as System.Collections.IEnumerable ?? throw Unsupported(ngrams, "_transformInfos");
        var info = infos.Cast<object>().ElementAt(column);
        var pool = pools.GetValue(column) ?? throw Unsupported(ngrams, "_ngramMaps");
        var count = (int)(Member(pool, "Count") ?? throw Unsupported(pool, "Count"));
        var getById = pool.GetType().GetMethod("GetById", Instance) ?? throw Unsupported(pool, "GetById");
        var length = (int)Member(info, "NgramLength")!;
        if ((int)Member(info, "SkipLength")! != 0)
        {
            throw new InvalidOperationException("Skip-grams are not supported by the compiled scorer.");
        }

        var grams = new uint[count][];
        var args = new object[2];
        for (var id = 0; id < count; id++)
        {
            args[0] = id;
            args[1] = new uint[length];
            var n = (int)getById.Invoke(pool, args)!;
            grams[id] = ((uint[])args[1])[..n];
        }

        var idf = Field(ngrams, "_invDocFreqs") is double[]?[] all ? all[column] : null;
        var weighting = (NgramExtractingEstimator.WeightingCriteria)Member(info, "Weighting")!;
        var levels = (bool[])Member(info, "NonEmptyLevels")!;
        return new NgramVocabulary(grams, weighting, idf, [.. levels]);
    }

    private static object? Field(object target, string name)
    {
        for (var type = target.GetType(); type is not null; type = type.BaseType)
        {
            if (type.GetField(name, Instance | BindingFlags.DeclaredOnly) is { } field)
            {
                return field.GetValue(target);
            }
        }

        return null;
    }

    private static object? Member(object target, string name) =>
        Field(target, name) ?? target.GetType().GetProperty(name, Instance)?.GetValue(target);

    private static InvalidOperationException Unsupported(object target, string member) =>
        new($"This ML.NET version's {target.GetType().Name} has no '{member}'; the compiled scorer cannot read the model.");
}

/// <summary>The n-grams one ML.NET n-gram step counts, by slot, and how it weighs a count.</summary>
/// <param name="Levels">Whether n-grams of length i+1 are counted at all.</param>
internal sealed record NgramVocabulary(uint[][] Grams, NgramExtractingEstimator.WeightingCriteria Weighting, double[]? Idf, bool[] Levels);
