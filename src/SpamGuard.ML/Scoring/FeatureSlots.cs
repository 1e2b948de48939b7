using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using SpamGuard.Core.Explanations;
using SpamGuard.Core.Features;

namespace SpamGuard.ML.Scoring;

/// <summary>What one slot of the feature vector stands for, in explanation terms.</summary>
/// <param name="CharGram">For a character n-gram slot, the n-gram as the featuriser saw it: lower case, with
/// <see cref="CharGramAttribution.Start"/>, <see cref="CharGramAttribution.End"/> and spaces as they occur.</param>
internal sealed record FeatureSlot(string Name, SignalKind Kind, string Evidence, int StatisticIndex = -1, string? CharGram = null);

/// <summary>
/// Maps every index of the model's feature vector back to the word, phrase, host, author token or statistic it
/// came from, by reading the slot names ML.NET keeps for each concatenated column.
/// </summary>
internal static class FeatureSlots
{
    /// <remarks>Slots that mean the same thing to a moderator share one <see cref="FeatureSlot"/> instance (pieces of
    /// the link placeholder, two masked numbers shown as "[number]"), so scoring can sum contributions per instance
    /// without comparing strings. Word evidence is masked here, once per model, not on every request.</remarks>
    public static FeatureSlot[] Read(DataViewSchema schema)
    {
        var slots = new List<FeatureSlot>();
        var shared = new Dictionary<FeatureSlot, FeatureSlot>();
        // A model trained without links or author data has no column for them (see SpamPipeline.Create).
        foreach (var group in ColumnNames.FeatureGroups.Where(g => schema.GetColumnOrNull(g) is not null))
        {
            var column = schema[group];
            var size = column.Type is VectorDataViewType { Size: > 0 } vector
                ? vector.Size
                : throw new InvalidOperationException($"Column {group} is not a fixed-size vector.");
            var names = default(VBuffer<ReadOnlyMemory<char>>);
            var hasNames = column.HasSlotNames();
            if (hasNames)
            {
                column.GetSlotNames(ref names);
            }

            var dense = hasNames ? names.DenseValues().Select(n => n.ToString()).ToArray() : new string[size];
            for (var i = 0; i < size; i++)
            {
                var slot = Describe(group, i, dense[i] ?? "");
                if (slot.CharGram is null)
                {
                    // Vocabulary words can be numbers a commenter also typed (a phone number), so they are masked too.
                    slot = slot.Kind == SignalKind.Text ? slot with { Evidence = EvidenceMask.Apply(slot.Evidence) } : slot;
                    slot = shared.TryGetValue(slot, out var same) ? same : shared[slot] = slot;
                }

                slots.Add(slot);
            }
        }

        return [.. slots];
    }

    private static FeatureSlot Describe(string group, int index, string slotName) => group switch
    {
        ColumnNames.TextFeatures => DescribeText(slotName),
        ColumnNames.LinkFeatures => new FeatureSlot("link.host", SignalKind.Link, WithoutExtractorPrefix(slotName)),
        ColumnNames.AuthorFeatures => DescribeAuthor(WithoutExtractorPrefix(slotName)),
        ColumnNames.CueFeatures => DescribeCue(WithoutExtractorPrefix(slotName)),
        ColumnNames.StatisticFeatures => DescribeStatistic(index),
        _ => throw new InvalidOperationException($"Unknown feature group {group}."),
    };

    public const string CharsName = "content.chars";

    private const string CharPrefix = "Char.";
    private const string WordPrefix = "Word.";
    private static readonly string PaddedPlaceholder = " " + TextNormalizer.LinkPlaceholder + " ";

    // FeaturizeText names word n-gram slots "Word.free|entry" and character n-gram slots "Char.<␂>|f|r|e", where
    // <␂> and <␃> mark the start and end of the text and <␠> a space.
    private static FeatureSlot DescribeText(string slotName)
    {
        if (slotName.StartsWith(CharPrefix, StringComparison.Ordinal))
        {
            var gram = CharGram(slotName.AsSpan(CharPrefix.Length));
            var chars = gram.Replace(CharGramAttribution.Start.ToString(), "", StringComparison.Ordinal)
                .Replace(CharGramAttribution.End.ToString(), "", StringComparison.Ordinal);
            // Pieces of the link placeholder say "there is a link", not anything about the words.
            return PaddedPlaceholder.Contains(chars, StringComparison.Ordinal)
                ? LinkPresent
                : new FeatureSlot(CharsName, SignalKind.Text, chars, CharGram: gram);
        }

        var words = WithoutExtractorPrefix(slotName).Split('|');
        if (words.Contains(TextNormalizer.LinkPlaceholder))
        {
            return words.Length == 1
                ? LinkPresent
                : new FeatureSlot("content.phrase", SignalKind.Text, string.Join(' ', words.Select(w => w == TextNormalizer.LinkPlaceholder ? "<link>" : w)));
        }

        return new FeatureSlot(words.Length > 1 ? "content.phrase" : "content.word", SignalKind.Text, string.Join(' ', words));
    }

    /// <summary>
    /// Reads a character n-gram slot name back into its characters. ML.NET joins the characters with '|' (so a '|'
    /// character is a piece of its own), writes control characters and space as "&lt;␂&gt;"-style control pictures, and
    /// writes every UTF-16 surrogate as the same "\u4X", which <see cref="CharGramAttribution.Surrogate"/> stands for.
    /// </summary>
    internal static string CharGram(ReadOnlySpan<char> name)
    {
        var gram = new StringBuilder(name.Length);
        var i = 0;
        while (i < name.Length)
        {
            if (name[i] == '<' && i + 2 < name.Length && name[i + 1] is >= '\u2400' and <= '\u2421' && name[i + 2] == '>')
            {
                gram.Append(name[i + 1] == '\u2421' ? '\u007f' : (char)(name[i + 1] - '\u2400'));
                i += 3;
            }
            else if (name[i..].StartsWith(EscapedSurrogate, StringComparison.Ordinal))
            {
                gram.Append(CharGramAttribution.Surrogate);
                i += EscapedSurrogate.Length;
            }
            else
            {
                gram.Append(name[i]);
                i++;
            }

            // Skip the separator after each piece.
            i++;
        }

        return gram.ToString();
    }

    private const string EscapedSurrogate = "\\u4X";

    private static readonly FeatureSlot LinkPresent = new("link.present", SignalKind.Link, "a link in the text");

    private static string WithoutExtractorPrefix(string slotName) =>
        slotName.StartsWith(WordPrefix, StringComparison.Ordinal) ? slotName[WordPrefix.Length..] : slotName;

    private static FeatureSlot DescribeAuthor(string token)
    {
        if (token.StartsWith("email_domain=", StringComparison.Ordinal))
        {
            return new FeatureSlot("author.email_domain", SignalKind.Author, "e-mail domain " + token["email_domain=".Length..]);
        }

        if (token.StartsWith("url_host=", StringComparison.Ordinal))
        {
            return new FeatureSlot("author.url_host", SignalKind.Author, "website " + token["url_host=".Length..]);
        }

        return token switch
        {
            "url_present" => new FeatureSlot("author.url", SignalKind.Author, "a website is given"),
            _ => new FeatureSlot("author.name", SignalKind.Author, token.Replace("name_", "name ", StringComparison.Ordinal).Replace('_', ' ')),
        };
    }

    private static FeatureSlot DescribeCue(string token) =>
        new("content.cue", SignalKind.Text, SpamCues.Descriptions.TryGetValue(token, out var description) ? description : token);

    private static FeatureSlot DescribeStatistic(int index)
    {
        var name = TextStatistics.Names[index];
        return name == "link_count"
            ? new FeatureSlot("link.count", SignalKind.Link, "", index)
            : new FeatureSlot("content.stat." + name, SignalKind.Text, "", index);
    }

    /// <summary>Evidence for a statistic, from its raw (unnormalised) value.</summary>
    public static string StatisticEvidence(int index, float raw) => TextStatistics.Names[index] switch
    {
        "link_count" => FormatCount(Math.Round(Math.Exp(raw) - 1), "link"),
        "length" => FormatCount(Math.Round(Math.Exp(raw) - 1), "character"),
        "uppercase_ratio" => string.Create(CultureInfo.InvariantCulture, $"{raw:P0} capitals"),
        "digit_ratio" => string.Create(CultureInfo.InvariantCulture, $"{raw:P0} digits"),
        "exclamation_count" => FormatCount(Math.Round(Math.Exp(raw) - 1), "exclamation mark"),
        "capitalised_words" => FormatCount(Math.Round(Math.Exp(raw) - 1), "word") + " in capitals",
        "number_tokens" => FormatCount(Math.Round(Math.Exp(raw) - 1), "number"),
        _ => raw > 0 ? "present" : "absent",
    };

    private static string FormatCount(double n, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{n:0} {noun}{(n == 1 ? "" : "s")}");
}
