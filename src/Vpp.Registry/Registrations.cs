using NodaTime;
using Vpp.Protocol;

namespace Vpp.Registry;

public sealed record SiteRegistration(
    string SiteId,
    string Name,
    string TimeZoneId,
    double BackupReservePct,
    double? LatitudeDeg,
    double? LongitudeDeg,
    Instant RegisteredAt);

/// <summary>Battery nameplate as registered. Charge power is a positive magnitude.</summary>
public sealed record BatteryRatings(double CapacityKwh, double MaxChargeKw, double MaxDischargeKw, double RoundTripEfficiency);

public sealed record DeviceRegistration(
    string DeviceId,
    string SiteId,
    DeviceKind Kind,
    BatteryRatings? Battery,
    double? SolarRatedKw,
    Instant RegisteredAt)
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
