using Google.Rpc;

namespace SpamGuard.Server.Hosting;

/// <summary>
/// A request failed validation at the edge. <see cref="ErrorMappingInterceptor"/> turns it into INVALID_ARGUMENT
/// with a <see cref="BadRequest"/> detail, so mappers only describe what is wrong, not how it is reported.
/// </summary>
internal sealed class InvalidRequestException : Exception
{
    public InvalidRequestException()
        : this([])
    {
    }

    public InvalidRequestException(string message)
        : base(message)
    {
        Violations = [];
    }

    public InvalidRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Violations = [];
    }

    public InvalidRequestException(IReadOnlyList<BadRequest.Types.FieldViolation> violations)
        : base(Describe(violations))
    {
        Violations = violations;
    }

    /// <summary>One entry per offending field; <c>Field</c> is the proto field path, e.g. <c>honeypot.value</c>.</summary>
    public IReadOnlyList<BadRequest.Types.FieldViolation> Violations { get; }

    private static string Describe(IReadOnlyList<BadRequest.Types.FieldViolation> violations) =>
        violations.Count == 0
            ? "The request is invalid."
            : "Invalid request: " + string.Join("; ", violations.Select(v => v.Field + ": " + v.Description)) + ".";
}
