using Vpp.Contracts.Fleet;
using Vpp.Grains.Hosting;
using Vpp.Host.Devices;

namespace Vpp.Host.Api;

public sealed record DiagnosticsView(long TelemetryIngested, long FramesReceived, long OpenDeviceConnections, IReadOnlyDictionary<string, long> ProtocolErrors);

public static class FleetEndpoints
{
    public static RouteGroupBuilder MapFleetEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/fleet", (IGrainFactory grains) => grains.GetGrain<IFleetAggregatorGrain>(IFleetAggregatorGrain.FleetKey).GetSummary())
            .WithTags("Fleet").WithSummary("Fleet sums: sites online/stale/offline, stored energy, flexibility");
        api.MapGet("/diagnostics", (TwinMetrics twins, GatewayMetrics gateway) =>
                new DiagnosticsView(twins.IngestedTotal, gateway.FramesTotal, gateway.OpenConnections, gateway.ErrorsByCode))
            .WithTags("Diagnostics").WithSummary("Counters of this host (telemetry ingested into twins, frames, errors by code)");
        return api;
    }
}
