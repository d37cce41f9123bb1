using NodaTime;

namespace Vpp.Contracts.Markets;

/// <summary>
/// One region's day in the day-ahead market (key "{region}/{yyyy-MM-dd}", the delivery day in the
/// market's time zone), sole writer of its stream: builds the schedule and bids before gate
/// closure, fetches the awards, hands each award to grid balancing ahead of its product, settles
/// each product after delivery and credits the sites' shares. Driven by a reminder and timers.
/// </summary>
[Alias("vpp.IMarketDayGrain")]
public interface IMarketDayGrain : IGrainWithStringKey
{
    /// <summary>Makes sure the day runs (reminder registered) and does what is due now. Idempotent.</summary>
    [Alias("Arm")]
    Task Arm();

    [AlwaysInterleave, Alias("GetView")]
    Task<MarketDayView> GetView();
}

/// <summary>One product of the day: plan, bid, award, dispatch and settlement (null until each happened). Signs: &gt; 0 sold.</summary>
[GenerateSerializer, Immutable, Alias("vpp.MarketProductView")]
public sealed record MarketProductView(
    [property: Id(0)] int Index,
    [property: Id(1)] Instant Start,
    [property: Id(2)] Instant End,
    [property: Id(3)] double? ForecastEurPerMwh,
    [property: Id(4)] double? ScheduledKw,
    [property: Id(5)] double? AwardedKw,
    [property: Id(6)] double? ClearingPriceEurPerMwh,
    [property: Id(7)] string? DispatchRequestId,
    [property: Id(8)] double? DeliveredKwh,
    [property: Id(9)] double? MarketEur,
    [property: Id(10)] double? ImbalanceEur);

[GenerateSerializer, Immutable, Alias("vpp.MarketDayView")]
public sealed record MarketDayView(
    [property: Id(0)] string Market,
    [property: Id(1)] string Region,
    [property: Id(2)] string Day,
    [property: Id(3)] string Status,
    [property: Id(4)] Instant GateClosure,
    [property: Id(5)] string? Reason,
    [property: Id(6)] int BidProducts,
    [property: Id(7)] double AwardedKwh,
    [property: Id(8)] double DeliveredKwh,
    [property: Id(9)] double MarketEur,
    [property: Id(10)] double ImbalanceEur,
    [property: Id(11)] IReadOnlyList<MarketProductView> Products);

/// <summary>
/// One region's day in the frequency-reserve capacity auction (key "{region}/{yyyy-MM-dd}"): offers
/// the symmetric capacity the region can sustain per block before gate closure, commits what is
/// awarded as the region's frequency response at each block's start, and settles each block.
/// </summary>
[Alias("vpp.IReserveDayGrain")]
public interface IReserveDayGrain : IGrainWithStringKey
{
    [Alias("Arm")]
    Task Arm();

    [AlwaysInterleave, Alias("GetView")]
    Task<MarketDayView> GetView();
}
