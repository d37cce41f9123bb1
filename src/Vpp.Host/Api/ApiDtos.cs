using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Protocol;
using Vpp.Contracts.Registrations;
using Vpp.Domain.Telemetry;

namespace Vpp.Host.Api;

// Request bodies use nullable members so a missing field becomes a clear validation error.

public sealed record LocationDto(double? Latitude, double? Longitude);

public sealed record RegisterSiteRequest(string? SiteId, string? Name, string? TimeZone, double? BackupReservePct, LocationDto? Location, string? Region = null);

public sealed record BatteryRatingsDto(double? CapacityKwh, double? MaxChargeKw, double? MaxDischargeKw, double? RoundTripEfficiency);

public sealed record SolarRatingsDto(double? RatedKw);

public sealed record RegisterDeviceRequest(string? DeviceId, DeviceKind? Kind, BatteryRatingsDto? Battery, SolarRatingsDto? Solar);

public sealed record SetpointRequestDto(double? PowerKw, int? ValidForSeconds, string? Reason);

public sealed record PreferencesRequest(double? BackupReservePct, bool? Participating);

public sealed record ManualOverrideRequest(Instant? Until, string? Reason);

public sealed record SiteView(string SiteId, string Name, string TimeZone, double BackupReservePct, bool Participating,
    Instant? ManualOverrideUntil, LocationDto? Location, Instant RegisteredAt, IReadOnlyList<DeviceView> Devices, string Region)
{
    public static SiteView From(SiteRegistration s, SiteSettings settings, IReadOnlyList<DeviceRegistration> devices) =>
        new(s.SiteId, s.Name, s.TimeZoneId, settings.BackupReservePct, settings.Participating, settings.ManualOverrideUntil,
            s.LatitudeDeg is { } lat && s.LongitudeDeg is { } lon ? new LocationDto(lat, lon) : null,
            s.RegisteredAt, devices.Select(DeviceView.From).ToList(), s.Region);
}

/// <summary>A site's history at one resolution; signs and energy parts as in docs/conventions.md.</summary>
public sealed record SiteHistoryView(string SiteId, Instant From, Instant To, string Resolution, IReadOnlyList<SiteHistoryPoint> Points);

public sealed record DeviceView(string DeviceId, string SiteId, DeviceKind Kind, BatteryRatings? Battery, double? SolarRatedKw, Instant RegisteredAt)
{
    public static DeviceView From(DeviceRegistration d) => new(d.DeviceId, d.SiteId, d.Kind, d.Battery, d.SolarRatedKw, d.RegisteredAt);
}

/// <summary>The device token appears here once and is never retrievable again.</summary>
public sealed record DeviceRegistered(DeviceView Device, string Token);

public sealed record TokenIssued(string DeviceId, string Token);


public sealed record CommandsView(string DeviceId, IReadOnlyList<CommandRecord> Commands);
