using NodaTime;
using Vpp.Domain.Markets;

namespace Vpp.Grains.Hosting;

/// <summary>Day-ahead trading (docs/markets.md): the market's calendar and the scheduler's parameters.</summary>
public sealed class MarketOptions
{
    public const string DayAhead = "day-ahead";

    /// <summary>The market's delivery days, products and gate closure (default: day-ahead, Europe/Berlin).</summary>
    public MarketCalendar Calendar { get; set; } = MarketCalendar.DayAhead(DateTimeZoneProviders.Tzdb["Europe/Berlin"]);

    /// <summary>Bids are built this long before gate closure, from the fleet as it is then.</summary>
    public Duration BidLead { get; set; } = Duration.FromMinutes(60);

    /// <summary>An award goes to grid balancing this long before its product starts (the dispatch is sized then).</summary>
    public Duration DispatchLead { get; set; } = Duration.FromSeconds(30);

    /// <summary>The exchange's minimum bid size (kW); smaller steps trade nothing.</summary>
    public double MinBidKw { get; set; } = 100;

    /// <summary>Battery wear charged per kWh of throughput in the optimiser (EUR/kWh).</summary>
    public double DegradationEurPerKwh { get; set; } = 0.02;

    /// <summary>The fleet's round-trip efficiency assumed by the optimiser (devices do not report it yet).</summary>
    public double RoundTripEfficiency { get; set; } = 0.9;

    /// <summary>Imbalance is settled at the clearing price worsened by this (EUR/MWh).</summary>
    public double ImbalancePenaltyEurPerMwh { get; set; } = 50;

    public string Market => DayAhead;

    /// <summary>The frequency-reserve capacity auction (off unless enabled).</summary>
    public ReserveMarketOptions Reserve { get; set; } = new();
}

/// <summary>
/// Frequency-reserve capacity (docs/markets.md): symmetric capacity per block, at least the minimum
/// bid, offered at a floor price; capacity awarded becomes the region's frequency-response commitment
/// for the block and is held back from energy trading.
/// </summary>
public sealed class ReserveMarketOptions
{
    public const string Name = "reserve-capacity";

    public bool Enabled { get; set; }

    /// <summary>4-hour blocks cut in local time, gate closure D-1 08:00 (default: Europe/Berlin).</summary>
    public MarketCalendar Calendar { get; set; } = MarketCalendar.ReserveCapacity(DateTimeZoneProviders.Tzdb["Europe/Berlin"]);

    public Duration BidLead { get; set; } = Duration.FromMinutes(60);

    /// <summary>The auction's minimum bid: 1 MW, so only the aggregate can bid.</summary>
    public double MinBidKw { get; set; } = 1000;

    /// <summary>The price (EUR per MW of capacity per hour) below which the fleet would rather trade energy.</summary>
    public double FloorPriceEurPerMwh { get; set; } = 5;

    /// <summary>
    /// Offer each block at no less than what holding it back costs the day's energy plan. Off by
    /// default: the backtest measured it worse while the energy plan over-trades the evening (see docs/markets.md).
    /// </summary>
    public bool PriceAtOpportunityCost { get; set; }

    /// <summary>How committed capacity responds: local droop on the devices, or central setpoints from frequency signals.</summary>
    public Vpp.Contracts.Grid.FrequencyResponseMode Mode { get; set; } = Vpp.Contracts.Grid.FrequencyResponseMode.Local;
}
