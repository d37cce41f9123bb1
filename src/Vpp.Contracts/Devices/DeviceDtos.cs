using NodaTime;
using Vpp.Protocol;

namespace Vpp.Contracts.Devices;

/// <summary>One validated reading, as the twin stores it. Signs as in docs/conventions.md.</summary>
[GenerateSerializer, Immutable, Alias("vpp.TelemetryReading")]
public sealed record TelemetryReading(
    [property: Id(0)] long Seq,
    [property: Id(1)] Instant Ts,
    [property: Id(2)] double PowerKw,
    [property: Id(3)] double? SocPct,
    [property: Id(4)] double? AvailableKw,
    [property: Id(5)] double? GridKw,
    [property: Id(6)] double? LoadKw)
{
    /// <summary>The power of the flow a device of this kind measures: a meter's grid flow (gridKw, else powerKw), otherwise powerKw.</summary>
    public double FlowKw(DeviceKind kind) => kind == DeviceKind.Meter ? GridKw ?? PowerKw : PowerKw;
}

[GenerateSerializer, Alias("vpp.DeviceStatus")]
public enum DeviceStatus
{
    /// <summary>Connected and reporting.</summary>
    Online,
    /// <summary>Connected or recently seen, but silent for more than 3 telemetry intervals.</summary>
    Stale,
    /// <summary>No connection.</summary>
    Offline,
}

[GenerateSerializer, Immutable, Alias("vpp.DeviceTwinState")]
public sealed record DeviceTwinState(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] string SiteId,
    [property: Id(2)] DeviceKind Kind,
    [property: Id(3)] DeviceStatus Status,
    [property: Id(4)] Instant? LastSeen,
    [property: Id(5)] TelemetryReading? Last);

/// <summary>The last seq the twin has seen, and setpoints still valid that the device must run (already marked sent).</summary>
[GenerateSerializer, Immutable, Alias("vpp.DeviceConnectResult")]
public sealed record DeviceConnectResult(
    [property: Id(0)] long LastSeq,
    [property: Id(1)] IReadOnlyList<CommandRecord> PendingSetpoints,
    [property: Id(2)] DroopAssignment? PendingDroop = null);

/// <summary>Local frequency-response parameters for one battery (protocol message <c>frequency-response</c>).</summary>
[GenerateSerializer, Immutable, Alias("vpp.DroopAssignment")]
public sealed record DroopAssignment(
    [property: Id(0)] string CommandId,
    [property: Id(1)] double CommittedKw,
    [property: Id(2)] double NominalHz,
    [property: Id(3)] double DeadbandHz,
    [property: Id(4)] double FullActivationHz,
    [property: Id(5)] Instant ValidUntil,
    [property: Id(6)] double? MinSocPct);

/// <summary>An operator's (later: the aggregator's) request for a battery to run at a power.</summary>
[GenerateSerializer, Immutable, Alias("vpp.SetpointRequest")]
public sealed record SetpointRequest(
    [property: Id(0)] double PowerKw,
    [property: Id(1)] Duration ValidFor,
    [property: Id(2)] string Reason);

[GenerateSerializer, Alias("vpp.CommandStatus")]
public enum CommandStatus
{
    /// <summary>Issued, but the device was not connected; it is sent when the device connects if still valid.</summary>
    Pending,
    /// <summary>Written to the device's connection, not yet acknowledged.</summary>
    Sent,
    Accepted,
    Rejected,
    Completed,
    /// <summary>validUntil passed before the device reported completion.</summary>
    Expired,
    /// <summary>A newer setpoint (or the backup-reserve guard) replaced this one before it ended.</summary>
    Superseded,
}

[GenerateSerializer, Immutable, Alias("vpp.CommandRecord")]
public sealed record CommandRecord(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string DeviceId,
    [property: Id(2)] double PowerKw,
    [property: Id(3)] Instant IssuedAt,
    [property: Id(4)] Instant ValidUntil,
    [property: Id(5)] string Reason,
    [property: Id(6)] double? MinSocPct,
    [property: Id(7)] CommandStatus Status,
    [property: Id(8)] string? StatusReason,
    [property: Id(9)] Instant UpdatedAt);

[GenerateSerializer, Alias("vpp.AckOutcome")]
public enum AckOutcome
{
    Recorded,
    /// <summary>The ack repeats the command's current status; nothing changed (idempotent).</summary>
    Duplicate,
    UnknownCommand,
}
