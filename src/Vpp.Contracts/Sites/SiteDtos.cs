using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Protocol;

namespace Vpp.Contracts.Sites;

/// <summary>
/// What a site can offer now: Up = extra power out of the home (discharge), Down = extra power
/// into it (charge), both as positive magnitudes, with the energy behind them and how long they
/// last at full power. Never counts energy below the backup reserve; stale devices count as zero.
/// </summary>
[GenerateSerializer, Immutable, Alias("vpp.FlexibilityView")]
public sealed record FlexibilityView(
    [property: Id(0)] double UpKw,
    [property: Id(1)] double UpKwh,
    [property: Id(2)] double UpMinutes,
    [property: Id(3)] double DownKw,
    [property: Id(4)] double DownKwh,
    [property: Id(5)] double DownMinutes)
{
    public static readonly FlexibilityView None = new(0, 0, 0, 0, 0, 0);
}

/// <summary>A device in its site's live state. LastSeen: when the twin got the last reading (server clock); ReadingTs: the reading's own ts.</summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteDeviceView")]
public sealed record SiteDeviceView(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] DeviceKind Kind,
    [property: Id(2)] DeviceStatus Status,
    [property: Id(3)] Instant? LastSeen,
    [property: Id(4)] double? PowerKw,
    [property: Id(5)] Instant? ReadingTs = null);

[GenerateSerializer, Alias("vpp.SiteStatus")]
public enum SiteStatus
{
    /// <summary>At least one device online and none stale.</summary>
    Online,
    /// <summary>Some device connected but silent for more than 3 telemetry intervals.</summary>
    Stale,
    /// <summary>No device connected.</summary>
    Offline,
}

/// <summary>
/// A home's live state. Signs: pvKw and batteryKw &gt; 0 supply the home, gridKw &gt; 0 is import;
/// loadKw = pvKw + batteryKw + gridKw when the meter reports none of its own.
/// </summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteState")]
public sealed record SiteState(
    [property: Id(0)] string SiteId,
    [property: Id(1)] string Name,
    [property: Id(2)] Instant At,
    [property: Id(3)] SiteStatus Status,
    [property: Id(4)] double PvKw,
    [property: Id(5)] double BatteryKw,
    [property: Id(6)] double GridKw,
    [property: Id(7)] double LoadKw,
    [property: Id(8)] double? SocPct,
    [property: Id(9)] double StoredKwh,
    [property: Id(10)] double BackupReservePct,
    [property: Id(11)] FlexibilityView Flexibility,
    [property: Id(12)] IReadOnlyList<SiteDeviceView> Devices);

/// <summary>What a site tells the fleet aggregator (on significant change or every few seconds).</summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteReport")]
public sealed record SiteReport(
    [property: Id(0)] string SiteId,
    [property: Id(1)] Instant At,
    [property: Id(2)] SiteStatus Status,
    [property: Id(3)] double StoredKwh,
    [property: Id(4)] double UpKw,
    [property: Id(5)] double DownKw,
    [property: Id(6)] double PvKw,
    [property: Id(7)] double LoadKw,
    [property: Id(8)] double GridKw,
    [property: Id(9)] double BatteryKw);

/// <summary>One settled market product's share for a site: the energy it delivered for it and what it earned (EUR, may be negative).</summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteEarning")]
public sealed record SiteEarning(
    [property: Id(0)] string Market,
    [property: Id(1)] Instant DeliveryStart,
    [property: Id(2)] Instant DeliveryEnd,
    [property: Id(3)] double DeliveredKwh,
    [property: Id(4)] double Eur,
    [property: Id(5)] Instant SettledAt);

/// <summary>A site's earnings to date, and the latest settled products (newest first, at most 200).</summary>
[GenerateSerializer, Immutable, Alias("vpp.SiteEarnings")]
public sealed record SiteEarnings(
    [property: Id(0)] double TotalEur,
    [property: Id(1)] double DeliveredKwh,
    [property: Id(2)] int Settlements,
    [property: Id(3)] IReadOnlyList<SiteEarning> Latest);
