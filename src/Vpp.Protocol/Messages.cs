using NodaTime;

namespace Vpp.Protocol;

/// <summary>A message a device sends to the server (see docs/device-protocol.md).</summary>
public abstract record DeviceMessage;

public sealed record HelloMessage(string DeviceId, string? Firmware) : DeviceMessage;

/// <summary>
/// One reading. Sign convention: PowerKw &gt; 0 flows out of the device (discharging, producing);
/// GridKw &gt; 0 is import from the grid. Fields not applicable to the device's kind are null.
/// </summary>
public sealed record TelemetryMessage(
    long Seq,
    Instant Ts,
    double PowerKw,
    double? SocPct,
    double? AvailableKw,
    double? GridKw,
    double? LoadKw) : DeviceMessage;

public enum AckStatus
{
    Accepted,
    Rejected,
    Completed,
}

public sealed record AckMessage(string CommandId, AckStatus Status, string? Reason) : DeviceMessage;

/// <summary>A message the server sends to a device.</summary>
public abstract record ServerMessage;

public sealed record WelcomeMessage(Instant ServerTime, int TelemetryIntervalMs, long LastSeq) : ServerMessage;

/// <summary>
/// Run at <paramref name="PowerKw"/> until <paramref name="ValidUntil"/>, then fall back to
/// self-consumption. <paramref name="MinSocPct"/> is the home's backup reserve: the device must stop
/// discharging there even if the setpoint asks for more.
/// </summary>
public sealed record SetpointMessage(string CommandId, double PowerKw, Instant ValidUntil, string Reason, double? MinSocPct) : ServerMessage;

/// <summary>
/// Local frequency response (droop): until <paramref name="ValidUntil"/>, add to whatever the battery
/// runs (setpoint or self-consumption) nothing inside ±deadband of nominal, ±committed at ±full
/// activation and beyond, linear in between; under-frequency discharges (+), over-frequency charges.
/// Limits and <paramref name="MinSocPct"/> still apply. CommittedKw 0 ends it.
/// </summary>
public sealed record FrequencyResponseMessage(
    string CommandId, double CommittedKw, double NominalHz, double DeadbandHz, double FullActivationHz, Instant ValidUntil, double? MinSocPct)
    : ServerMessage;

public sealed record ErrorMessage(string Code, string Message) : ServerMessage;
