namespace SpamGuard.ML.Data;

/// <summary>A training file could not be read; the message names the file and line.</summary>
public sealed class TrainingDataException : Exception
{
    public TrainingDataException()
    {
    }

    public TrainingDataException(string message)
        : base(message)
    {
    }

    public TrainingDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
