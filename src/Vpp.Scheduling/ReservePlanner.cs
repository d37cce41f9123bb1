using NodaTime;
using Vpp.Domain.Markets;

namespace Vpp.Scheduling;

/// <summary>A reserve-capacity offer for a day: one curve per block, or why there is none.</summary>
public sealed record ReserveOffer(double SymmetricKw, IReadOnlyList<BidCurve> Curves, string? NothingToBid);

/// <summary>
/// Plans a frequency-reserve capacity offer: the symmetric power the pooled fleet can hold both ways
/// for 15 minutes (its power headroom each way, and the energy above the reserves and below full
/// for 15 minutes at that power, and no more than its batteries can hold both ways one by one), of
/// which <see cref="OfferedShare"/> is offered in every block at its opportunity cost (what holding
/// that capacity back costs the day's energy plan, per MW and hour) or the floor price, whichever is
/// higher. The auction's minimum bid (1 MW) is why only the aggregate can take part: a region below
/// it offers nothing.
/// </summary>
public static class ReservePlanner
{
    public static readonly NodaTime.Duration Sustain = NodaTime.Duration.FromMinutes(15);

    /// <summary>
    /// The part of what the fleet can hold that is offered. The rest keeps each battery free power to
    /// steer its SoC back into its window while the grid is quiet (<c>SocRestoration</c>): a battery
    /// committed at its full power could not, and a trace that leans one way drains it (measured with
    /// the backtest: full offers broke their commitment in 5 blocks of 2 days, four fifths in none).
    /// </summary>
    public const double OfferedShare = 0.8;

    public static double SymmetricKw(PlannerFleet fleet)
    {
        var hours = Sustain.TotalHours;
        var up = Math.Min(fleet.MaxDischargeKw, Math.Max(0, fleet.InitialKwh) / hours);
        var down = Math.Min(fleet.MaxChargeKw, Math.Max(0, fleet.UsableKwh - fleet.InitialKwh) / hours);
        return Math.Max(0, Math.Min(up, down));
    }

    /// <param name="batteriesSymmetricKw">
    /// What the batteries can give both ways one by one (droop is symmetric per battery), when known:
    /// the pooled figure overstates it when batteries charge and discharge at different limits.
    /// </param>
    /// <param name="energy">
    /// The day's energy products with their forecast prices (EUR/MWh), when known: each block is then
    /// offered at no less than what holding the capacity back in it costs the energy plan.
    /// </param>
    public static ReserveOffer Offer(PlannerFleet fleet, IReadOnlyList<MarketProduct> blocks, double minBidKw, double floorPriceEurPerMwh,
        double? batteriesSymmetricKw = null, EnergyForecast? energy = null)
    {
        var kw = Math.Floor(OfferedShare * Math.Min(SymmetricKw(fleet), Math.Max(0, batteriesSymmetricKw ?? double.PositiveInfinity)) * 1000) / 1000;
        if (blocks.Count == 0) return new ReserveOffer(kw, [], "the day has no blocks");
        if (kw < minBidKw)
            return new ReserveOffer(kw, [], $"the region can hold {kw:0.###} kW both ways for 15 minutes, below the minimum bid of {minBidKw:0.###} kW");
        var cost = energy is null ? null : OpportunityCostEurPerMwh(fleet, blocks, energy, kw);
        return new ReserveOffer(kw, blocks.Select((b, i) =>
            new BidCurve(b.Index, [new BidStep(Math.Round(Math.Max(floorPriceEurPerMwh, cost?[i] ?? 0), 2), kw)])).ToList(), null);
    }

    /// <summary>
    /// Per block: the energy plan's profit without reserve, less its profit with <paramref name="kw"/>
    /// held back both ways during the block (power kept free, 15 minutes of energy kept each way), per
    /// MW and hour of the block: the lowest capacity price at which the block is worth more as reserve.
    /// 0 where the plan cannot be solved (the floor price then stands).
    /// </summary>
    public static IReadOnlyList<double> OpportunityCostEurPerMwh(PlannerFleet fleet, IReadOnlyList<MarketProduct> blocks, EnergyForecast energy, double kw)
    {
        var held = Math.Min(kw, Math.Min(fleet.MaxChargeKw, fleet.MaxDischargeKw));
        if (held <= 0 || energy.Products.Count == 0) return blocks.Select(_ => 0.0).ToArray();
        var model = new FleetModel(fleet.UsableKwh, Math.Clamp(fleet.InitialKwh, 0, fleet.UsableKwh), 0, fleet.MaxChargeKw, fleet.MaxDischargeKw, fleet.RoundTripEfficiency);
        ScheduleProblem Problem(MarketProduct? block) => new(model,
            energy.Products.Select((p, i) => new ScheduleInterval(energy.PricesEurPerMwh[i],
                ReserveKw: block is { } b && b.Delivery.Contains(p.Delivery.Start) ? held : 0)).ToList(),
            energy.Products[0].Delivery.Duration, energy.DegradationEurPerKwh);
        Schedule[] solved;
        try
        {
            solved = ScheduleOptimiser.SolveMany([Problem(null), .. blocks.Select(b => Problem(b))]);
        }
        catch (InvalidOperationException)
        {
            return blocks.Select(_ => 0.0).ToArray();
        }
        return blocks.Select((b, i) => Math.Max(0, solved[0].ProfitEur - solved[i + 1].ProfitEur) / (held / 1000) / b.Delivery.Duration.TotalHours).ToArray();
    }
}

/// <summary>The day's energy products with a forecast price each (EUR/MWh), and the wear cost the plan charges (EUR/kWh).</summary>
public sealed record EnergyForecast(IReadOnlyList<MarketProduct> Products, IReadOnlyList<double> PricesEurPerMwh, double DegradationEurPerKwh)
{
    /// <summary>
    /// Persistence, as the day-ahead plan forecasts: each product at the clearing price of the same
    /// product the day before (a product missing there at the mean of the ones found); null when none is known.
    /// </summary>
    public static EnergyForecast? Persistence(IReadOnlyList<MarketProduct> products, IReadOnlyList<MarketProduct> dayBefore,
        IReadOnlyDictionary<Instant, double> publishedPrices, double degradationEurPerKwh)
    {
        var known = dayBefore.Select(p => publishedPrices.TryGetValue(p.Delivery.Start, out var price) ? price : (double?)null).ToList();
        if (products.Count == 0 || known.All(k => k is null)) return null;
        var mean = known.Where(k => k is not null).Average(k => k!.Value);
        return new EnergyForecast(products, products.Select(p => p.Index < known.Count && known[p.Index] is { } price ? price : mean).ToList(), degradationEurPerKwh);
    }
}
