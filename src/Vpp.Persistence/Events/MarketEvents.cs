using NodaTime;
using Vpp.Domain.Markets;

namespace Vpp.Persistence.Events;

/// <summary>
/// An event in one region's market day (<see cref="StreamKeys.MarketDay"/>): <see cref="Day"/> is the
/// delivery day (ISO date, in the market's time zone). Power signs as in bids: &gt; 0 sold (discharge).
/// </summary>
public interface IMarketEvent : IVppEvent
{
    string Market { get; }
    string Region { get; }
    string Day { get; }
}

/// <summary>
/// One product in a day's plan: the price the schedule was optimised against, the fleet's planned
/// net power, and the frequency-reserve capacity held back in it (kW both ways).
/// </summary>
public sealed record PlannedProduct(int ProductIndex, Instant Start, Instant End, double ForecastEurPerMwh, double ScheduledKw, double ReserveKw = 0,
    double BaselineKw = 0);

/// <summary>
/// The optimiser's plan for the day, from the fleet as it stood (<paramref name="Sites"/> sites;
/// energy above the summed reserves <paramref name="InitialKwh"/> of <paramref name="UsableKwh"/>), the
/// energy forecast for the day's start (<paramref name="DayStartKwh"/>) and per product the baseline assumed.
/// </summary>
public sealed record ScheduleBuilt(
    string Market, string Region, string Day, int Sites, double UsableKwh, double InitialKwh, double MaxChargeKw, double MaxDischargeKw,
    List<PlannedProduct> Products, double ExpectedProfitEur, string PriceForecast, Instant At, double? DayStartKwh = null,
    string? BaselineForecast = null) : IMarketEvent;

/// <summary>The bids the exchange took for the day (one monotone curve per traded product).</summary>
public sealed record BidSubmitted(string Market, string Region, string Day, List<BidCurve> Curves, Instant At) : IMarketEvent;

/// <summary>No bids for the day, and why (no fleet, nothing worth trading, the exchange refused, the gate closed first).</summary>
public sealed record BidNotSubmitted(string Market, string Region, string Day, string Reason, Instant At) : IMarketEvent;

public sealed record AwardedProduct(int ProductIndex, Instant Start, Instant End, double AwardedKw, double ClearingPriceEurPerMwh);

/// <summary>The exchange cleared the day: what the region must deliver per product (products without an award traded nothing).</summary>
public sealed record BidAwarded(string Market, string Region, string Day, List<AwardedProduct> Awards, Instant At) : IMarketEvent;

/// <summary>An award went to grid balancing as a dispatch request (<paramref name="RequestId"/>) ahead of its product's start.</summary>
public sealed record AwardDispatched(string Market, string Region, string Day, int ProductIndex, string RequestId, Instant At) : IMarketEvent;

/// <summary>
/// One product after delivery: awarded vs delivered energy (kWh, signed as the award), imbalance
/// (delivered − awarded), market revenue at the clearing price and the imbalance settlement (EUR),
/// and per site the energy it delivered (kWh) and its share of the net (EUR), by that energy in the award's direction.
/// </summary>
public sealed record IntervalSettled(
    string Market, string Region, string Day, int ProductIndex, Instant Start, Instant End, double AwardedKwh, double DeliveredKwh,
    double ImbalanceKwh, double MarketEur, double ImbalanceEur, Dictionary<string, double> SiteDeliveredKwh, Dictionary<string, double> SiteEur,
    string? Note, Instant At) : IMarketEvent;

/// <summary>
/// A reserve-capacity block started: the region committed <paramref name="CommittedKw"/> of
/// frequency response for it (of <paramref name="AwardedKw"/> awarded), shared over its homes
/// (<paramref name="SiteCommittedKw"/>: siteId → kW).
/// </summary>
public sealed record ReserveCommitted(string Market, string Region, string Day, int ProductIndex, double AwardedKw, double CommittedKw,
    Dictionary<string, double> SiteCommittedKw, Instant At) : IMarketEvent;
