using NodaTime;
using Vpp.Domain.Markets;

namespace Vpp.Scheduling;

/// <summary>The pooled fleet a plan starts from (kWh above the reserves, of the usable kWh between reserves and full; inverter limits).</summary>
public sealed record PlannerFleet(double UsableKwh, double InitialKwh, double MaxChargeKw, double MaxDischargeKw, double RoundTripEfficiency);

/// <summary>
/// One product of a plan: the forecast price, the planned market position (&gt; 0 sold: net power
/// beyond the baseline), the reserve capacity held back (kW both ways) and the baseline assumed
/// (the batteries' own power, &gt; 0 discharging).
/// </summary>
public sealed record PlannedInterval(MarketProduct Product, double ForecastEurPerMwh, double ScheduledKw, double ReserveKw, double BaselineKw = 0);

/// <summary>A day's plan: per product, and the curves to bid (only products that trade something); or why there is nothing to bid.</summary>
public sealed record DayAheadPlan(IReadOnlyList<PlannedInterval> Intervals, IReadOnlyList<BidCurve> Curves, double ExpectedProfitEur, string? NothingToBid);

/// <summary>
/// Plans one delivery day: a persistence price forecast (each product at the clearing price of the
/// same product the day before — simple and honest; a product missing there takes the mean of the
/// ones found), the optimiser on the pooled fleet, and bid curves from it. With a
/// <c>baseline</c> forecast (<see cref="BaselineForecast"/>) the plan trades on top of what the
/// batteries will do on their own (covering load, charging from PV) and starts from the energy they
/// are forecast to hold when the day starts; without one, from the energy they hold now.
/// Frequency-reserve capacity awarded for a product (<c>reserveKw</c>) is held back: the schedule
/// keeps that power free both ways and the energy to sustain it for 15 minutes. Per-product limits
/// (<c>limits</c>: the fleet's headroom up and down within the operating envelopes in force then)
/// bound the net power of each product. With the <c>homes</c> one by one (each battery's own energy
/// and limits), every product's bid is capped by what the homes' own schedules trade together
/// (<see cref="ScheduleOptimiser.SolvePerSiteDecomposed"/>): the pooled plan lends power between homes,
/// and a fleet whose homes run empty or full one by one could not deliver it (measured with the
/// backtest: imbalance 1 539 → 933 EUR a week, net +21 %). The plan's scheduled kW and expected
/// profit are then the homes' too, so what is published matches what is bid.
/// </summary>
public static class DayAheadPlanner
{
    public static DayAheadPlan Plan(PlannerFleet fleet, IReadOnlyList<MarketProduct> products, IReadOnlyList<MarketProduct> dayBefore,
        IReadOnlyDictionary<Instant, double> publishedPrices, double degradationEurPerKwh, double minBidKw, IReadOnlyList<double>? reserveKw = null,
        IReadOnlyList<(double UpKw, double DownKw)>? limits = null, BaselineForecast? baseline = null, IReadOnlyList<PlannerFleet>? homes = null)
    {
        if (products.Count == 0) return new DayAheadPlan([], [], 0, "the day has no products");
        if (EnergyForecast.Persistence(products, dayBefore, publishedPrices, degradationEurPerKwh) is not { } energy)
            return new DayAheadPlan([], [], 0, "no clearing prices of the day before to forecast from");
        var forecast = energy.PricesEurPerMwh.ToArray();
        // Reserve can never exceed what the fleet can move both ways (the exchange awarded what was offered then).
        var held = products.Select((_, i) => Math.Clamp(reserveKw is { } r && i < r.Count ? r[i] : 0, 0, Math.Min(fleet.MaxChargeKw, fleet.MaxDischargeKw))).ToArray();
        if (fleet.UsableKwh <= 1e-9 || fleet.MaxChargeKw + fleet.MaxDischargeKw <= 1e-9)
            return new DayAheadPlan(Planned(products, forecast, held, null), [], 0, "no battery capacity in the region");

        var initial = Math.Clamp(baseline?.InitialKwh ?? fleet.InitialKwh, 0, fleet.UsableKwh);
        var baselineKw = products.Select((_, i) => baseline is { } b && i < b.ProductKw.Count ? b.ProductKw[i] : 0).ToArray();
        var problem = new ScheduleProblem(new FleetModel(fleet.UsableKwh, initial, 0, fleet.MaxChargeKw, fleet.MaxDischargeKw, fleet.RoundTripEfficiency),
            forecast.Select((f, i) => new ScheduleInterval(f, held[i],
                limits is { } l && i < l.Count ? Math.Max(0, l[i].UpKw) : null, limits is { } m && i < m.Count ? Math.Max(0, m[i].DownKw) : null,
                baselineKw[i])).ToList(),
            products[0].Delivery.Duration, degradationEurPerKwh);
        Schedule schedule;
        try
        {
            schedule = ScheduleOptimiser.Solve(problem);
        }
        catch (InvalidOperationException e)
        {
            return new DayAheadPlan(Planned(products, forecast, held, null, baselineKw), [], 0, e.Message);
        }
        // The homes' own plan, when they are known, is the plan: what is bid, scheduled and expected.
        (double[] NetKw, double ProfitEur)? homesPlan = homes is { Count: > 0 } ? HomesPlan(homes, problem) : null;
        var curves = BidBuilder.Curves(problem, minBidKw, homesPlan?.NetKw).Where(c => c.Steps.Any(s => s.QuantityKw != 0)).ToList();
        return new DayAheadPlan(Planned(products, forecast, held, schedule, baselineKw, homesPlan?.NetKw), curves, homesPlan?.ProfitEur ?? schedule.ProfitEur,
            curves.Count == 0 ? "nothing worth trading at the forecast prices" : null);
    }

    /// <summary>
    /// Per product, the net power the homes' own schedules trade together, and their profit (a home
    /// that cannot keep its reserve share trades nothing).
    /// </summary>
    private static (double[] NetKw, double ProfitEur) HomesPlan(IReadOnlyList<PlannerFleet> homes, ScheduleProblem pooled)
    {
        var models = homes.Select(h => new FleetModel(Math.Max(0, h.UsableKwh), Math.Clamp(h.InitialKwh, 0, Math.Max(0, h.UsableKwh)), 0,
            Math.Max(0, h.MaxChargeKw), Math.Max(0, h.MaxDischargeKw), h.RoundTripEfficiency)).ToList();
        return ScheduleOptimiser.PlanHomes(models, pooled);
    }

    private static List<PlannedInterval> Planned(IReadOnlyList<MarketProduct> products, double[] forecast, double[] held, Schedule? schedule,
        double[]? baselineKw = null, double[]? netKw = null) =>
        products.Select((p, i) => new PlannedInterval(p, forecast[i], netKw?[i] ?? schedule?.Intervals[i].NetKw ?? 0, held[i],
            schedule?.Intervals[i].BaselineKw ?? baselineKw?[i] ?? 0)).ToList();
}
