using Google.Rpc;
using Grpc.Core;

namespace SpamGuard.Cli.Commands;

/// <summary>How every command reports a failed call: one line with the status, one per bad field, and an exit code.</summary>
internal static class CliErrors
{
    public static async Task<int> ReportAsync(RpcException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        await Console.Error.WriteLineAsync($"error: {ex.StatusCode}: {ex.Status.Detail}");
        foreach (var violation in ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations ?? [])
        {
            await Console.Error.WriteLineAsync($"  {violation.Field}: {violation.Description}");
        }

        return ex.StatusCode switch
        {
            StatusCode.InvalidArgument => ExitCodes.BadInput,
            StatusCode.NotFound => ExitCodes.NotFound,
            _ => ExitCodes.ServerError,
        };
    }
}
