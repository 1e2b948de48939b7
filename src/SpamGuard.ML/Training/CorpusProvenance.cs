using SpamGuard.ML.Data;
using SpamGuard.ML.Models;

namespace SpamGuard.ML.Training;

/// <summary>
/// Finds a corpus's citation and licence in the README.md beside it ("Paper: …" and "Licence: …" lines, as the
/// shared corpora have), so the model card names them without the trainer hard-coding any corpus.
/// </summary>
internal static class CorpusProvenance
{
    public static DataFileDescription Describe(CorpusFile file)
    {
        if (file.Path == DataSplit.ReportsCorpus)
        {
            return new DataFileDescription(DataSplit.ReportsCorpus, file.Sha256, file.Rows, file.Spam, file.Ham,
                "spam and ham reports received by this deployment (submit-spam / submit-ham), the latest report per check",
                "the deployment's own data; kept for Feedback:ExampleRetentionDays");
        }

        var readme = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file.Path)) ?? ".", "README.md");
        string? citation = null, licence = null;
        if (File.Exists(readme))
        {
            foreach (var line in File.ReadLines(readme))
            {
                citation ??= After(line, "Paper:");
                licence ??= After(line, "Licence:") ?? After(line, "License:");
            }
        }

        var folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file.Path)));
        return new DataFileDescription($"{folder}/{Path.GetFileName(file.Path)}", file.Sha256, file.Rows, file.Spam, file.Ham,
            citation ?? "not stated (no README.md with a 'Paper:' line beside the file)",
            licence ?? "not stated (no README.md with a 'Licence:' line beside the file)");
    }

    private static string? After(string line, string prefix) =>
        line.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? line[prefix.Length..].Trim() : null;
}
