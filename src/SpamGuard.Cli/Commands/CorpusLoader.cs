using SpamGuard.ML.Data;

namespace SpamGuard.Cli.Commands;

internal static class CorpusLoader
{
    public static (List<TrainingExample> Examples, List<CorpusFile> Files) Load(IEnumerable<FileInfo> files)
    {
        var examples = new List<TrainingExample>();
        var read = new List<CorpusFile>();
        foreach (var file in files)
        {
            var (rows, corpus) = TrainingDataReader.Read(file.FullName);
            examples.AddRange(rows);
            read.Add(corpus with { Path = file.FullName });
        }

        return (examples, read);
    }
}
