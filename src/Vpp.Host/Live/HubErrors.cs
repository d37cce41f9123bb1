using Microsoft.AspNetCore.SignalR;

namespace Vpp.Host.Live;

/// <summary>
/// Logs the live hub's unexpected failures as errors, and only those. SignalR logs every failed
/// invocation at Error, including the refusals the hub throws on purpose (another site, an unknown
/// one): any client could fill the log with them, so its own log line is off (appsettings.json).
/// </summary>
public sealed class HubErrors(ILogger<HubErrors> log) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is not HubException and not OperationCanceledException)
        {
            log.LogError(e, "Live hub method {Method} failed", context.HubMethodName);
            throw;
        }
    }
}
