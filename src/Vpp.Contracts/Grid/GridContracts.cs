using NodaTime;

namespace Vpp.Contracts.Grid;

/// <summary>A grid frequency measurement for a region; <paramref name="ReceivedAt"/>: when the signal reached a host (for latency).</summary>
[GenerateSerializer, Immutable, Alias("vpp.FrequencyReading")]
public sealed record FrequencyReading([property: Id(0)] Instant Ts, [property: Id(1)] double Hz, [property: Id(2)] Instant? ReceivedAt = null);

/// <summary>A utility's request: deliver PowerKw (&gt; 0 = reduce net import / export) in Region over [StartsAt, EndsAt).</summary>
[GenerateSerializer, Immutable, Alias("vpp.DispatchRequest")]
public sealed record DispatchRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Region,
    [property: Id(2)] Instant StartsAt,
    [property: Id(3)] Instant EndsAt,
    [property: Id(4)] double PowerKw,
    [property: Id(5)] int Priority);

[GenerateSerializer, Alias("vpp.DispatchRequestOutcome")]
public enum DispatchRequestOutcome
{
    Recorded,
    /// <summary>The same request again (redelivery or retry): nothing changed.</summary>
    Duplicate,
    /// <summary>The request id is taken by a different request.</summary>
    ConflictingId,
}

/// <summary>An operating envelope for one site: import and export at most these kW in [ValidFrom, ValidUntil).</summary>
[GenerateSerializer, Immutable, Alias("vpp.OperatingEnvelope")]
public sealed record OperatingEnvelope(
    [property: Id(0)] double ImportLimitKw,
    [property: Id(1)] double ExportLimitKw,
    [property: Id(2)] Instant ValidFrom,
    [property: Id(3)] Instant ValidUntil);
