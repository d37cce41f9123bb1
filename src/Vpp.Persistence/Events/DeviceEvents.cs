using NodaTime;
using Vpp.Contracts.Registrations;
using Vpp.Protocol;

namespace Vpp.Persistence.Events;

/// <summary>
/// An event in a device's stream (<see cref="StreamKeys.Device"/>): its registration, its token and,
/// for batteries, the command log. Appended only by the device's grain.
/// </summary>
public interface IDeviceEvent : IVppEvent
{
    string DeviceId { get; }
    string SiteId { get; }
}

/// <summary>Only the token's SHA-256 hash is stored, never the token.</summary>
public sealed record DeviceRegistered(
    string DeviceId, string SiteId, DeviceKind Kind, BatteryRatings? Battery, double? SolarRatedKw, string TokenHash, Instant At) : IDeviceEvent;

public sealed record DeviceTokenRotated(string DeviceId, string SiteId, string TokenHash, Instant At) : IDeviceEvent;

public sealed record DeviceTokenRevoked(string DeviceId, string SiteId, Instant At) : IDeviceEvent;

/// <summary>Power sign as everywhere: &gt; 0 discharge, &lt; 0 charge (docs/conventions.md).</summary>
public sealed record SetpointIssued(
    string DeviceId, string SiteId, string CommandId, double PowerKw, Instant ValidUntil, string Reason, double MinSocPct, Instant At) : IDeviceEvent;

/// <summary>The device accepted the setpoint, or (<paramref name="Completed"/>) reports it ran to its end.</summary>
public sealed record SetpointAcknowledged(string DeviceId, string SiteId, string CommandId, bool Completed, string? Reason, Instant At) : IDeviceEvent;

public sealed record SetpointRejected(string DeviceId, string SiteId, string CommandId, string Reason, Instant At) : IDeviceEvent;

/// <summary>validUntil passed before the device reported completion.</summary>
public sealed record SetpointTimedOut(string DeviceId, string SiteId, string CommandId, Instant At) : IDeviceEvent;

/// <summary>A newer setpoint (or the backup-reserve guard) replaced this one before it ended.</summary>
public sealed record SetpointSuperseded(string DeviceId, string SiteId, string CommandId, string Reason, Instant At) : IDeviceEvent;

/// <summary>Local frequency response assigned to a battery: droop with this commitment until <paramref name="ValidUntil"/> (0 kW ends it).</summary>
public sealed record DroopAssigned(string DeviceId, string SiteId, string CommandId, double CommittedKw, Instant ValidUntil, Instant At) : IDeviceEvent;
