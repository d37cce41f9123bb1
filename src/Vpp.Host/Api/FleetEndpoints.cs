using Vpp.Contracts.Fleet;
using Vpp.Grains.Hosting;
using Vpp.Host.Devices;
using Vpp.Messaging.Hosting;
using Vpp.Persistence.Telemetry;

namespace Vpp.Host.Api;

public sealed record DiagnosticsView(long TelemetryIngested, long FramesReceived, long OpenDeviceConnections, IReadOnlyDictionary<string, long> ProtocolErrors,
    HistoryDiagnostics History, KafkaDiagnostics Kafka);

/// <summary>Kafka: where it is, messages handled and dead-lettered per topic, consumer lag per partition, events published.</summary>
public sealed record KafkaDiagnostics(string BootstrapServers, bool Embedded, IReadOnlyDictionary<string, long> Consumed,
    IReadOnlyDictionary<string, long> DeadLettered, IReadOnlyDictionary<string, long> Lag, long Published)
{
    public static KafkaDiagnostics Of(KafkaEndpoint kafka, KafkaMetrics k) =>
        new(kafka.BootstrapServers, kafka.Embedded is not null, k.ConsumedByTopic, k.DeadLetteredByTopic, k.LagByPartition, k.PublishedTotal);
}

/// <summary>Telemetry history counters: readings left out of the rollups, and rows written.</summary>
public sealed record HistoryDiagnostics(long ReadingsTooLate, long ReadingsBeyondBackfill, long RollupRowsWritten, bool Durable);

public static class FleetEndpoints
{
    public static RouteGroupBuilder MapFleetEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/fleet", (IGrainFactory grains) => grains.GetGrain<IFleetAggregatorGrain>(IFleetAggregatorGrain.FleetKey).GetSummary())
            .WithTags("Fleet").WithSummary("Fleet sums: sites online/stale/offline, stored energy, flexibility");
        api.MapGet("/diagnostics", (TwinMetrics twins, GatewayMetrics gateway, IRollupStore rollups, KafkaEndpoint kafka, KafkaMetrics k) =>
                new DiagnosticsView(twins.IngestedTotal, gateway.FramesTotal, gateway.OpenConnections, gateway.ErrorsByCode,
                    new HistoryDiagnostics(twins.TooLateTotal, twins.BeyondBackfillTotal, twins.RollupRowsTotal, rollups.IsDurable),
                    KafkaDiagnostics.Of(kafka, k)))
            .WithTags("Diagnostics").WithSummary("Counters of this host (telemetry ingested into twins, frames, errors by code)");
        return api;
    }
}
