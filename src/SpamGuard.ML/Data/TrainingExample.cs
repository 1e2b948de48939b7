namespace SpamGuard.ML.Data;

/// <summary>One labelled comment from a training corpus.</summary>
/// <param name="Corpus">Which file it came from (file name), so metrics can be reported per corpus.</param>
/// <param name="Source">The row's own source tag ("sms", "youtube-psy"), or the corpus when the file has none.</param>
public sealed record TrainingExample(string Id, string Corpus, string Source, string? Author, string Content, bool IsSpam);
