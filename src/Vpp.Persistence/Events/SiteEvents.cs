using NodaTime;
using Vpp.Contracts.Registrations;
using Vpp.Protocol;

namespace Vpp.Persistence.Events;

/// <summary>An event in a site's stream (<see cref="StreamKeys.Site"/>). Appended only by the site's grain.</summary>
public interface ISiteEvent : IVppEvent
{
    string SiteId { get; }
}

/// <summary><paramref name="Region"/> is the grid region the site is dispatched in (null in streams from before regions: "default").</summary>
public sealed record SiteRegistered(
    string SiteId, string Name, string TimeZoneId, double BackupReservePct, double? LatitudeDeg, double? LongitudeDeg, Instant At,
    string? Region = null) : ISiteEvent;

/// <summary>The homeowner opted the site out of one dispatch event (its other events are unaffected).</summary>
public sealed record DispatchOptedOut(string SiteId, string RequestId, string ChangedBy, Instant At) : ISiteEvent;

/// <summary>A device joined the site. The device's own registration lives in its stream.</summary>
public sealed record DeviceAddedToSite(
    string SiteId, string DeviceId, DeviceKind Kind, BatteryRatings? Battery, double? SolarRatedKw, Instant At) : ISiteEvent;

/// <summary>The homeowner's (or operator's) settings: backup reserve and participation in VPP events.</summary>
public sealed record PreferencesChanged(string SiteId, double BackupReservePct, bool Participating, string ChangedBy, Instant At) : ISiteEvent;

/// <summary>The homeowner takes manual control until <paramref name="Until"/>: the VPP sends no setpoints meanwhile.</summary>
public sealed record ManualOverrideSet(string SiteId, Instant Until, string Reason, string ChangedBy, Instant At) : ISiteEvent;

public sealed record ManualOverrideCleared(string SiteId, string ChangedBy, Instant At) : ISiteEvent;

/// <summary>
/// A grid operator's limit on the site's connection for a window: import and export at most these
/// kW (both ≥ 0). Several may overlap; the most restrictive applies (enforced by grid balancing).
/// </summary>
public sealed record OperatingEnvelopeSet(
    string SiteId, double ImportLimitKw, double ExportLimitKw, Instant ValidFrom, Instant ValidUntil, string SourceEventId, Instant At) : ISiteEvent;

/// <summary>
/// The site's share of a settled market product (<paramref name="SettlementId"/>: market day and
/// product, so a repeated credit is ignored): the energy it delivered and what it earned (EUR, may be negative).
/// </summary>
public sealed record EarningsCredited(
    string SiteId, string SettlementId, string Market, Instant DeliveryStart, Instant DeliveryEnd, double DeliveredKwh, double Eur, Instant At) : ISiteEvent;
