using SpamGuard.ML.Data;
using SpamGuard.ML.Models;
using SpamGuard.ML.Training;

namespace SpamGuard.Testing;

/// <summary>
/// A small model trained from <see cref="FixtureCorpus"/> with a fixed seed, once per test process, and saved like
/// a real model (zip + card) so tests load it through the same path the server uses.
/// </summary>
public static class TinyModel
{
    public const string Version = "0.0.1-test";

    private static readonly Lazy<string> Saved = new(Train, LazyThreadSafetyMode.ExecutionAndPublication);

    public static TrainerSettings Settings { get; } = new()
    {
        Seed = 7,
        Name = "tiny",
        Version = Version,
        ValidationFraction = 0.2,
        CalibrationFolds = 3,
        MaxIterations = 50,
        TargetFalsePositiveRate = 0.05,
    };

    /// <summary>Path of the saved model zip (its card beside it).</summary>
    public static string ZipPath => Saved.Value;

    public static string ModelVersion => $"{Settings.Name}-{Settings.Version}";

    /// <summary>Trained from the fixture written as a file and read back, as `spamguard train` does, so the card names
    /// the file's real SHA-256: a server retraining on the same fixture file sees the same base corpus.</summary>
    public static TrainedModel TrainInMemory()
    {
        var directory = Directory.CreateTempSubdirectory("spamguard-tiny-").FullName;
        try
        {
            var (examples, file) = TrainingDataReader.Read(FixtureCorpus.WriteJsonl(directory));
            return SpamModelTrainer.Train(examples, [file], Settings, "spamguard train --data fixture.jsonl (test fixture)");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Train()
    {
        var directory = Path.Combine(Path.GetTempPath(), "spamguard-tests", Guid.NewGuid().ToString("N"));
        return ModelFiles.Save(directory, TrainInMemory());
    }
}
