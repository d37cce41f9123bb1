using Vpp.Contracts.Fleet;
using Vpp.Grains.Hosting;
using Vpp.Host.Devices;
using Vpp.Persistence.Telemetry;

namespace Vpp.Host.Api;

public sealed record DiagnosticsView(long TelemetryIngested, long FramesReceived, long OpenDeviceConnections, IReadOnlyDictionary<string, long> ProtocolErrors,
    HistoryDiagnostics History);

/// <summary>Telemetry history counters: readings left out of the rollups, and rows written.</summary>
public sealed record HistoryDiagnostics(long ReadingsTooLate, long ReadingsBeyondBackfill, long RollupRowsWritten, bool Durable);

public static class FleetEndpoints
{
    public static RouteGroupBuilder MapFleetEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/fleet", (IGrainFactory grains) => grains.GetGrain<IFleetAggregatorGrain>(IFleetAggregatorGrain.FleetKey).GetSummary())
            .WithTags("Fleet").WithSummary("Fleet sums: sites online/stale/offline, stored energy, flexibility");
        api.MapGet("/diagnostics", (TwinMetrics twins, GatewayMetrics gateway, IRollupStore rollups) =>
                new DiagnosticsView(twins.IngestedTotal, gateway.FramesTotal, gateway.OpenConnections, gateway.ErrorsByCode,
                    new HistoryDiagnostics(twins.TooLateTotal, twins.BeyondBackfillTotal, twins.RollupRowsTotal, rollups.IsDurable)))
            .WithTags("Diagnostics").WithSummary("Counters of this host (telemetry ingested into twins, frames, errors by code)");
        return api;
    }
}
