using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Vpp.Persistence.EventStore;

namespace Vpp.Host.Hosting;

internal static class StartupBanner
{
    /// <summary>Says loudly what is volatile and where to look, so an embedded run is never mistaken for production.</summary>
    public static void Print(WebApplication app)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Vpp.Host");
        var key = app.Services.GetRequiredService<OperatorApiKey>();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (!app.Services.GetRequiredService<IEventStore>().IsDurable)
            log.LogWarning("VOLATILE STORE: no PostgreSQL connection string is configured (ConnectionStrings:Postgres), so "
                + "registrations, device tokens, commands and telemetry history are kept IN MEMORY and lost when the host stops.");
        log.LogWarning("Orleans uses localhost clustering (embedded default): a single silo on this machine.");
        foreach (var address in addresses)
            log.LogInformation("VPP live page: {Url}/  API docs: {Url}/api-docs  device gateway: {Ws}{Path}",
                address, address, address.Replace("http", "ws"), Devices.DeviceGatewayEndpoint.Path);
        if (key.Generated) log.LogInformation("Operator API key for this run (header {Header}): {Key}", OperatorApiKey.Header, key.Value);
    }
}
