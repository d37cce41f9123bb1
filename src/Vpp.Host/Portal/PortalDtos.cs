using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Registrations;
using Vpp.Domain.Telemetry;
using Vpp.Host.Api;

namespace Vpp.Host.Portal;

/// <summary>The home as its dashboard shows it, with the reserve range the homeowner may choose.</summary>
public sealed record PortalSiteView(string SiteId, string Name, string TimeZone, string Region, double BackupReservePct, bool Participating,
    Instant? ManualOverrideUntil, double MinBackupReservePct, double MaxBackupReservePct, IReadOnlyList<DeviceView> Devices);

/// <summary>Today in the site's own time zone, from local midnight to now; kWh as in <see cref="EnergyTotals"/>.</summary>
public sealed record TodayEnergyView(string SiteId, LocalDate Date, Instant From, Instant To, double ConsumptionKwh, double SelfSuppliedKwh,
    double ImportKwh, double ExportKwh, double PvKwh, double BatteryChargeKwh, double BatteryDischargeKwh, double BatteryThroughputKwh)
{
    public static TodayEnergyView Of(string siteId, LocalDate date, Interval interval, EnergyTotals e) =>
        new(siteId, date, interval.Start, interval.End, e.ConsumptionKwh, e.SelfSuppliedKwh, e.ImportKwh, e.ExportKwh, e.PvKwh,
            e.BatteryChargeKwh, e.BatteryDischargeKwh, e.BatteryThroughputKwh);
}

/// <summary>
/// A grid event that affects the home: a dispatch in its region that is running or coming.
/// Direction "discharge": the VPP reduces the region's import (batteries give power); "charge": the opposite.
/// </summary>
public sealed record PortalEventView(string RequestId, string Kind, string Direction, Instant StartsAt, Instant EndsAt, string Status, bool OptedOut);

public sealed record PortalEventsView(string SiteId, bool Participating, IReadOnlyList<PortalEventView> Events);

/// <summary>One settled market product for the home: the energy it delivered and its share of the result.</summary>
public sealed record EarningLineView(string Market, NodaTime.Instant DeliveryStart, NodaTime.Instant DeliveryEnd, double DeliveredKwh, double Earned);

/// <summary>Market earnings to date (null before the first settlement, and the note says so) and the latest settled products.</summary>
public sealed record EarningsView(string SiteId, string Currency, double? TotalEarned, double DeliveredKwh, int SettledProducts,
    IReadOnlyList<EarningLineView> Settlements, string? Note);

public sealed record OperationsView(Instant At, IReadOnlyList<RegionOperationsView> Regions, KafkaDiagnostics Kafka, MarketOperationsView Market);

public sealed record RegionOperationsView(string Region, FrequencyReading? Frequency, RegionFlexibility Flexibility, IReadOnlyList<DispatchOperationsView> Dispatches);

/// <summary>A dispatch as operators follow it: requested vs accepted vs delivered (last interval and in total).</summary>
public sealed record DispatchOperationsView(string RequestId, DispatchStatus Status, Instant StartsAt, Instant EndsAt, double RequestedKw,
    double AcceptedKw, double? LastDeliveredKw, double? DeliveredKwh);

/// <summary>One traded region's market day at a glance (energy signed as bids: &gt; 0 sold; for reserve capacity, kW × h of capacity).</summary>
public sealed record MarketDaySummaryView(string Market, string Region, string Day, string Status, string? Reason, int BidProducts, int AwardedProducts,
    double AwardedKwh, double DeliveredKwh, double NetEur);

/// <summary>Today's and the next open day's market days per traded region; the note says when markets are not configured.</summary>
public sealed record MarketOperationsView(IReadOnlyList<MarketDaySummaryView> Days, string? Note);
