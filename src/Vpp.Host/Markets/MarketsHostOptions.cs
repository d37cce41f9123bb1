using NodaTime;
using NodaTime.Text;
using Vpp.Domain.Markets;
using Vpp.Grains.Hosting;

namespace Vpp.Host.Markets;

/// <summary>
/// Market trading (section "Vpp:Markets", docs/markets.md). Off until <see cref="ExchangeUrl"/> is
/// set; then the host trades day-ahead for every region in <see cref="Regions"/>.
/// </summary>
public sealed class MarketsHostOptions
{
    public const string Section = "Vpp:Markets";

    /// <summary>The exchange API (e.g. `vpp-sim exchange` on http://localhost:5090/). Empty: no trading.</summary>
    public string ExchangeUrl { get; set; } = "";

    /// <summary>Regions whose batteries are traded as one portfolio each.</summary>
    public List<string> Regions { get; set; } = [];

    public string TimeZone { get; set; } = "Europe/Berlin";
    public double ProductMinutes { get; set; } = 15;
    public string GateClosure { get; set; } = "12:00";
    public int GateClosureDaysBefore { get; set; } = 1;
    /// <summary>Local start and end of delivery (empty: the whole day), for markets that deliver part of a day.</summary>
    public string DeliveryFrom { get; set; } = "";
    public string DeliveryTo { get; set; } = "";
    public double BidLeadMinutes { get; set; } = 60;
    public double DispatchLeadSeconds { get; set; } = 30;
    public double MinBidKw { get; set; } = 100;
    public double DegradationEurPerKwh { get; set; } = 0.02;
    public double RoundTripEfficiency { get; set; } = 0.9;
    public double ImbalancePenaltyEurPerMwh { get; set; } = 50;

    /// <summary>The frequency-reserve capacity auction (same exchange, zone and regions).</summary>
    public ReserveHostOptions Reserve { get; set; } = new();

    public bool Enabled => !string.IsNullOrWhiteSpace(ExchangeUrl);

    /// <summary>Section "Vpp:Markets:Reserve" (defaults: 4-hour blocks, gate closure D-1 08:00, 1 MW minimum).</summary>
    public sealed class ReserveHostOptions
    {
        public bool Enabled { get; set; }
        public double ProductMinutes { get; set; } = 240;
        public string GateClosure { get; set; } = "08:00";
        public int GateClosureDaysBefore { get; set; } = 1;
        public string DeliveryFrom { get; set; } = "";
        public string DeliveryTo { get; set; } = "";
        public double BidLeadMinutes { get; set; } = 60;
        public double MinBidKw { get; set; } = 1000;
        public double FloorPriceEurPerMwh { get; set; } = 5;
        public string Mode { get; set; } = "local";
    }

    /// <summary>The grains' options, or the first thing wrong with the configuration.</summary>
    public (MarketOptions? Options, string? Problem) Build()
    {
        if (!Enabled) return (new MarketOptions(), null);
        if (!Uri.TryCreate(ExchangeUrl, UriKind.Absolute, out _)) return (null, "ExchangeUrl must be an absolute URL.");
        if (Regions.Count == 0 || Regions.Any(string.IsNullOrWhiteSpace)) return (null, "Regions must list at least one region.");
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(TimeZone) is not { } zone) return (null, $"TimeZone '{TimeZone}' is not a tz database zone.");
        if (!(ProductMinutes > 0) || ProductMinutes > 24 * 60) return (null, "ProductMinutes must be in (0, 1440].");
        var gate = LocalTimePattern.ExtendedIso.Parse(GateClosure);
        if (!gate.Success) return (null, "GateClosure must be a local time (HH:mm[:ss]).");
        LocalTime? Optional(string text) => string.IsNullOrWhiteSpace(text) ? null : LocalTimePattern.ExtendedIso.Parse(text).GetValueOrThrow();
        LocalTime? from, to;
        try { (from, to) = (Optional(DeliveryFrom), Optional(DeliveryTo)); }
        catch (UnparsableValueException) { return (null, "DeliveryFrom and DeliveryTo must be local times (HH:mm[:ss])."); }
        double[] positive = [BidLeadMinutes, DispatchLeadSeconds, MinBidKw, DegradationEurPerKwh, ImbalancePenaltyEurPerMwh];
        if (positive.Any(v => !double.IsFinite(v) || v < 0)) return (null, "BidLeadMinutes, DispatchLeadSeconds, MinBidKw, DegradationEurPerKwh and ImbalancePenaltyEurPerMwh must be ≥ 0.");
        if (!(RoundTripEfficiency is > 0 and <= 1)) return (null, "RoundTripEfficiency must be in (0, 1].");
        var calendar = new MarketCalendar(MarketOptions.DayAhead, zone, Period.FromSeconds((long)Math.Round(ProductMinutes * 60)), gate.Value,
            GateClosureDaysBefore, from, to);
        if (calendar.Problem() is { } problem) return (null, problem);
        var (reserve, reserveProblem) = BuildReserve(zone);
        if (reserveProblem is not null) return (null, "Reserve: " + reserveProblem);
        return (new MarketOptions
        {
            Reserve = reserve!,
            Calendar = calendar,
            BidLead = Duration.FromMinutes(BidLeadMinutes),
            DispatchLead = Duration.FromSeconds(DispatchLeadSeconds),
            MinBidKw = MinBidKw,
            DegradationEurPerKwh = DegradationEurPerKwh,
            RoundTripEfficiency = RoundTripEfficiency,
            ImbalancePenaltyEurPerMwh = ImbalancePenaltyEurPerMwh,
        }, null);
    }

    private (ReserveMarketOptions?, string?) BuildReserve(DateTimeZone zone)
    {
        var r = Reserve;
        if (!r.Enabled) return (new ReserveMarketOptions(), null);
        if (!(r.ProductMinutes > 0) || r.ProductMinutes > 24 * 60) return (null, "ProductMinutes must be in (0, 1440].");
        var gate = LocalTimePattern.ExtendedIso.Parse(r.GateClosure);
        if (!gate.Success) return (null, "GateClosure must be a local time (HH:mm[:ss]).");
        LocalTime? Optional(string text) => string.IsNullOrWhiteSpace(text) ? null : LocalTimePattern.ExtendedIso.Parse(text).GetValueOrThrow();
        LocalTime? from, to;
        try { (from, to) = (Optional(r.DeliveryFrom), Optional(r.DeliveryTo)); }
        catch (UnparsableValueException) { return (null, "DeliveryFrom and DeliveryTo must be local times (HH:mm[:ss])."); }
        if (!double.IsFinite(r.BidLeadMinutes) || r.BidLeadMinutes < 0 || !double.IsFinite(r.MinBidKw) || r.MinBidKw <= 0
            || !double.IsFinite(r.FloorPriceEurPerMwh)) return (null, "BidLeadMinutes ≥ 0, MinBidKw > 0 and FloorPriceEurPerMwh must be numbers.");
        if (!Enum.TryParse<Vpp.Contracts.Grid.FrequencyResponseMode>(r.Mode, ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || char.IsDigit(r.Mode[0]))
            return (null, "Mode must be \"local\" or \"central\".");
        var calendar = new MarketCalendar(ReserveMarketOptions.Name, zone, Period.FromSeconds((long)Math.Round(r.ProductMinutes * 60)), gate.Value,
            r.GateClosureDaysBefore, from, to);
        if (calendar.Problem() is { } problem) return (null, problem);
        return (new ReserveMarketOptions
        {
            Enabled = true, Calendar = calendar, BidLead = Duration.FromMinutes(r.BidLeadMinutes), MinBidKw = r.MinBidKw,
            FloorPriceEurPerMwh = r.FloorPriceEurPerMwh, Mode = mode,
        }, null);
    }
}
