namespace SpamGuard.ML.Models;

/// <summary>A model file or its card is missing, corrupt or incompatible; the message says which and why.</summary>
public sealed class ModelLoadException : Exception
{
    public ModelLoadException()
    {
    }

    public ModelLoadException(string message)
        : base(message)
    {
    }

    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
