using NodaTime;
using NodaTime.Text;
using Vpp.Domain.Markets;
using Vpp.Grains.Hosting;

namespace Vpp.Host.Markets;

/// <summary>A market's calendar in configuration: product length, gate closure, an optional partial delivery day.</summary>
public abstract class MarketCalendarSettings
{
    public abstract double ProductMinutes { get; set; }
    public abstract string GateClosure { get; set; }
    public int GateClosureDaysBefore { get; set; } = 1;
    /// <summary>Local start and end of delivery (empty: the whole day), for markets that deliver part of a day.</summary>
    public string DeliveryFrom { get; set; } = "";
    public string DeliveryTo { get; set; } = "";
    public double BidLeadMinutes { get; set; } = 60;

    private static readonly LocalTimePattern HoursMinutes = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    /// <summary>"12:00" or "12:00:30" (fractions allowed), or null.</summary>
    private static LocalTime? Time(string text) =>
        HoursMinutes.Parse(text) is { Success: true } hm ? hm.Value
        : LocalTimePattern.ExtendedIso.Parse(text) is { Success: true } full ? full.Value : null;

    /// <summary>The calendar, or the first thing wrong with its settings.</summary>
    protected (MarketCalendar? Calendar, string? Problem) BuildCalendar(string name, DateTimeZone zone)
    {
        if (!(ProductMinutes > 0) || ProductMinutes > 24 * 60) return (null, "ProductMinutes must be in (0, 1440].");
        if (!double.IsFinite(BidLeadMinutes) || BidLeadMinutes < 0) return (null, "BidLeadMinutes must be ≥ 0.");
        if (Time(GateClosure) is not { } gate) return (null, "GateClosure must be a local time (HH:mm[:ss]).");
        LocalTime? from = null, to = null;
        if ((!string.IsNullOrWhiteSpace(DeliveryFrom) && (from = Time(DeliveryFrom)) is null) || (!string.IsNullOrWhiteSpace(DeliveryTo) && (to = Time(DeliveryTo)) is null))
            return (null, "DeliveryFrom and DeliveryTo must be local times (HH:mm[:ss]).");
        var calendar = new MarketCalendar(name, zone, Period.FromSeconds((long)Math.Round(ProductMinutes * 60)), gate, GateClosureDaysBefore, from, to);
        return calendar.Problem() is { } problem ? (null, problem) : (calendar, null);
    }
}

/// <summary>
/// Market trading (section "Vpp:Markets", docs/markets.md). Off until <see cref="ExchangeUrl"/> is
/// set; then the host trades day-ahead (and, if enabled, reserve capacity) for every region in <see cref="Regions"/>.
/// </summary>
public sealed class MarketsHostOptions : MarketCalendarSettings
{
    public const string Section = "Vpp:Markets";

    /// <summary>The exchange API (e.g. `vpp-sim exchange` on http://localhost:5090/). Empty: no trading.</summary>
    public string ExchangeUrl { get; set; } = "";

    /// <summary>Regions whose batteries are traded as one portfolio each.</summary>
    public List<string> Regions { get; set; } = [];

    public string TimeZone { get; set; } = "Europe/Berlin";
    public override double ProductMinutes { get; set; } = 15;
    public override string GateClosure { get; set; } = "12:00";
    public double DispatchLeadSeconds { get; set; } = 30;
    public double MinBidKw { get; set; } = 100;
    public double DegradationEurPerKwh { get; set; } = 0.02;
    public double RoundTripEfficiency { get; set; } = 0.9;
    public double ImbalancePenaltyEurPerMwh { get; set; } = 50;

    /// <summary>The frequency-reserve capacity auction (same exchange, zone and regions).</summary>
    public ReserveHostOptions Reserve { get; set; } = new();

    public bool Enabled => !string.IsNullOrWhiteSpace(ExchangeUrl);

    /// <summary>Section "Vpp:Markets:Reserve" (defaults: 4-hour blocks, gate closure D-1 08:00, 1 MW minimum).</summary>
    public sealed class ReserveHostOptions : MarketCalendarSettings
    {
        public bool Enabled { get; set; }
        public override double ProductMinutes { get; set; } = 240;
        public override string GateClosure { get; set; } = "08:00";
        public double MinBidKw { get; set; } = 1000;
        public double FloorPriceEurPerMwh { get; set; } = 5;
        public bool PriceAtOpportunityCost { get; set; }
        public string Mode { get; set; } = "local";

        public (ReserveMarketOptions? Options, string? Problem) Build(DateTimeZone zone)
        {
            if (!Enabled) return (new ReserveMarketOptions(), null);
            if (!double.IsFinite(MinBidKw) || MinBidKw <= 0 || !double.IsFinite(FloorPriceEurPerMwh)) return (null, "MinBidKw > 0 and FloorPriceEurPerMwh must be numbers.");
            if (!Enum.TryParse<Vpp.Contracts.Grid.FrequencyResponseMode>(Mode, ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || char.IsDigit(Mode[0]))
                return (null, "Mode must be \"local\" or \"central\".");
            var (calendar, problem) = BuildCalendar(ReserveMarketOptions.Name, zone);
            if (problem is not null) return (null, problem);
            return (new ReserveMarketOptions
            {
                Enabled = true, Calendar = calendar!, BidLead = Duration.FromMinutes(BidLeadMinutes), MinBidKw = MinBidKw,
                FloorPriceEurPerMwh = FloorPriceEurPerMwh, PriceAtOpportunityCost = PriceAtOpportunityCost, Mode = mode,
            }, null);
        }
    }

    /// <summary>The grains' options, or the first thing wrong with the configuration.</summary>
    public (MarketOptions? Options, string? Problem) Build()
    {
        if (!Enabled) return (new MarketOptions(), null);
        if (!Uri.TryCreate(ExchangeUrl, UriKind.Absolute, out _)) return (null, "ExchangeUrl must be an absolute URL.");
        if (Regions.Count == 0 || Regions.Any(string.IsNullOrWhiteSpace)) return (null, "Regions must list at least one region.");
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(TimeZone) is not { } zone) return (null, $"TimeZone '{TimeZone}' is not a tz database zone.");
        double[] positive = [DispatchLeadSeconds, MinBidKw, DegradationEurPerKwh, ImbalancePenaltyEurPerMwh];
        if (positive.Any(v => !double.IsFinite(v) || v < 0)) return (null, "DispatchLeadSeconds, MinBidKw, DegradationEurPerKwh and ImbalancePenaltyEurPerMwh must be ≥ 0.");
        if (!(RoundTripEfficiency is > 0 and <= 1)) return (null, "RoundTripEfficiency must be in (0, 1].");
        var (calendar, problem) = BuildCalendar(MarketOptions.DayAhead, zone);
        if (problem is not null) return (null, problem);
        var (reserve, reserveProblem) = Reserve.Build(zone);
        if (reserveProblem is not null) return (null, "Reserve: " + reserveProblem);
        return (new MarketOptions
        {
            Calendar = calendar!,
            Reserve = reserve!,
            BidLead = Duration.FromMinutes(BidLeadMinutes),
            DispatchLead = Duration.FromSeconds(DispatchLeadSeconds),
            MinBidKw = MinBidKw,
            DegradationEurPerKwh = DegradationEurPerKwh,
            RoundTripEfficiency = RoundTripEfficiency,
            ImbalancePenaltyEurPerMwh = ImbalancePenaltyEurPerMwh,
        }, null);
    }
}
