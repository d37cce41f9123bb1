using NodaTime;
using Vpp.Protocol;

namespace Vpp.Contracts.Registrations;

[GenerateSerializer, Immutable, Alias("vpp.SiteRegistration")]
public sealed record SiteRegistration(
    [property: Id(0)] string SiteId,
    [property: Id(1)] string Name,
    [property: Id(2)] string TimeZoneId,
    [property: Id(3)] double BackupReservePct,
    [property: Id(4)] double? LatitudeDeg,
    [property: Id(5)] double? LongitudeDeg,
    [property: Id(6)] Instant RegisteredAt,
    [property: Id(7)] string Region = SiteRegistration.DefaultRegion)
{
    /// <summary>The grid region of sites registered without one (and of streams written before regions existed).</summary>
    public const string DefaultRegion = "default";
}

/// <summary>Battery nameplate as registered. Charge power is a positive magnitude.</summary>
[GenerateSerializer, Immutable, Alias("vpp.BatteryRatings")]
public sealed record BatteryRatings(
    [property: Id(0)] double CapacityKwh,
    [property: Id(1)] double MaxChargeKw,
    [property: Id(2)] double MaxDischargeKw,
    [property: Id(3)] double RoundTripEfficiency);

[GenerateSerializer, Immutable, Alias("vpp.DeviceRegistration")]
public sealed record DeviceRegistration(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] string SiteId,
    [property: Id(2)] DeviceKind Kind,
    [property: Id(3)] BatteryRatings? Battery,
    [property: Id(4)] double? SolarRatedKw,
    [property: Id(5)] Instant RegisteredAt)
{
    /// <summary>Largest power rating in either direction (0 for meters, which have none).</summary>
    public double RatingKw => Kind switch
    {
        DeviceKind.Battery => Math.Max(Battery!.MaxChargeKw, Battery.MaxDischargeKw),
        DeviceKind.Solar => SolarRatedKw ?? 0,
        _ => 0,
    };

    public DeviceProfile Profile => new(DeviceId, Kind, RatingKw);
}

/// <summary>The homeowner's settings that every control decision must respect.</summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteSettings")]
public sealed record SiteSettings(
    [property: Id(0)] double BackupReservePct,
    [property: Id(1)] bool Participating,
    [property: Id(2)] Instant? ManualOverrideUntil,
    [property: Id(3)] string? ManualOverrideReason)
{
    public bool OverrideActiveAt(Instant now) => ManualOverrideUntil is { } until && until > now;
}

/// <summary>A site's registration, settings and devices, as its twin knows them (strongly consistent).</summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteDetails")]
public sealed record SiteDetails(
    [property: Id(0)] SiteRegistration Site,
    [property: Id(1)] SiteSettings Settings,
    [property: Id(2)] IReadOnlyList<DeviceRegistration> Devices);

[GenerateSerializer, Alias("vpp.RegisterOutcome")]
public enum RegisterOutcome
{
    Registered,
    AlreadyExists,
    SiteNotFound,
}
