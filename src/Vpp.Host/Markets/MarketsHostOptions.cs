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

    public bool Enabled => !string.IsNullOrWhiteSpace(ExchangeUrl);

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
        return (new MarketOptions
        {
            Calendar = calendar,
            BidLead = Duration.FromMinutes(BidLeadMinutes),
            DispatchLead = Duration.FromSeconds(DispatchLeadSeconds),
            MinBidKw = MinBidKw,
            DegradationEurPerKwh = DegradationEurPerKwh,
            RoundTripEfficiency = RoundTripEfficiency,
            ImbalancePenaltyEurPerMwh = ImbalancePenaltyEurPerMwh,
        }, null);
    }
}
