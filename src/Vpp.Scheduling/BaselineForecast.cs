using NodaTime;
using Vpp.Domain.Grid;
using Vpp.Domain.Markets;

namespace Vpp.Scheduling;

/// <summary>
/// What the fleet's batteries will do on their own (their baseline: covering the homes' load,
/// charging from their PV) on the delivery day, and the energy they will hold when it starts — by
/// persistence from the region's recent history: each quarter-hour as at the same local time on the
/// latest of the last <see cref="LookBackDays"/> days that has it; a quarter-hour never seen (e.g.
/// after a restart) as what the batteries do now. Simple and honest; a later issue makes
/// forecasting learn.
/// </summary>
/// <param name="ProductKw">Per product, the mean baseline over its quarter-hours (kW, &gt; 0 discharging).</param>
/// <param name="InitialKwh">Energy above the reserves when the day starts: now's, moved by the baseline until then.</param>
/// <param name="QuartersKnown">How many quarter-hours of the delivery day the history had.</param>
public sealed record BaselineForecast(IReadOnlyList<double> ProductKw, double InitialKwh, int QuartersKnown)
{
    public const int LookBackDays = 7;

    public static BaselineForecast Of(IReadOnlyList<(Instant Start, double Kw)> history, DateTimeZone zone, IReadOnlyList<MarketProduct> products,
        Instant now, double nowKwh, double usableKwh, double roundTripEfficiency, double nowKw = 0)
    {
        var byQuarter = new Dictionary<Instant, double>();
        foreach (var (start, kw) in history) byQuarter[FleetBaselineHistory.QuarterOf(start)] = kw;
        double? Seen(Instant quarter)
        {
            var local = quarter.InZone(zone).LocalDateTime;
            for (var d = 1; d <= LookBackDays; d++)
                if (byQuarter.TryGetValue(FleetBaselineHistory.QuarterOf(zone.AtLeniently(local.PlusDays(-d)).ToInstant()), out var kw)) return kw;
            return null;
        }
        var quarter = FleetBaselineHistory.Quarter;
        IEnumerable<Instant> Quarters(Instant from, Instant to)
        {
            for (var q = FleetBaselineHistory.QuarterOf(from); q < to; q += quarter) yield return q;
        }

        var known = 0;
        var productKw = products.Select(p =>
        {
            var seen = Quarters(p.Delivery.Start, p.Delivery.End).Select(Seen).ToList();
            known += seen.Count(s => s is not null);
            return seen.Count == 0 ? nowKw : seen.Average(s => s ?? nowKw);
        }).ToList();

        // From now to the day's start, the energy moves as the baseline did then (losses included), within empty and full.
        var efficiency = Math.Sqrt(roundTripEfficiency);
        var energy = Math.Clamp(nowKwh, 0, usableKwh);
        var dayStart = products.Count > 0 ? products[0].Delivery.Start : now;
        foreach (var q in Quarters(now, dayStart))
        {
            var hours = ((q + quarter < dayStart ? q + quarter : dayStart) - (q > now ? q : now)).TotalHours;
            var kw = Seen(q) ?? nowKw;
            energy = Math.Clamp(energy + (kw > 0 ? -kw * hours / efficiency : -kw * hours * efficiency), 0, usableKwh);
        }
        return new BaselineForecast(productKw, energy, known);
    }
}
