namespace SpamGuard.Core.Scoring;

/// <summary>No model is loaded yet; callers should retry later.</summary>
public sealed class ModelNotReadyException : Exception
{
    public ModelNotReadyException()
        : base("No spam model is loaded yet.")
    {
    }

    public ModelNotReadyException(string message)
        : base(message)
    {
    }

    public ModelNotReadyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
