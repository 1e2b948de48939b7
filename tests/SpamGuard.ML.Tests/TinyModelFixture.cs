using SpamGuard.ML.Models;
using SpamGuard.ML.Scoring;
using SpamGuard.Testing;

namespace SpamGuard.ML.Tests;

/// <summary>The fixture model, trained once and loaded from disk like the server loads one.</summary>
public sealed class TinyModelFixture
{
    public TinyModelFixture()
    {
        (Model, Card) = ModelFiles.Load(TinyModel.ZipPath);
    }

    public SpamModel Model { get; }

    public ModelCard Card { get; }
}
