using Vpp.Domain.Markets;

namespace Vpp.Scheduling;

/// <summary>A reserve-capacity offer for a day: one curve per block, or why there is none.</summary>
public sealed record ReserveOffer(double SymmetricKw, IReadOnlyList<BidCurve> Curves, string? NothingToBid);

/// <summary>
/// Plans a frequency-reserve capacity offer: the symmetric power the pooled fleet can hold both ways
/// for 15 minutes (its power headroom each way, and the energy above the reserves and below full
/// for 15 minutes at that power, and no more than its batteries can hold both ways one by one), of
/// which <see cref="OfferedShare"/> is offered in every block at the floor price. The auction's minimum
/// bid (1 MW) is why only the aggregate can take part: a region below it offers nothing.
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
    public static ReserveOffer Offer(PlannerFleet fleet, IReadOnlyList<MarketProduct> blocks, double minBidKw, double floorPriceEurPerMwh,
        double? batteriesSymmetricKw = null)
    {
        var kw = Math.Floor(OfferedShare * Math.Min(SymmetricKw(fleet), Math.Max(0, batteriesSymmetricKw ?? double.PositiveInfinity)) * 1000) / 1000;
        if (blocks.Count == 0) return new ReserveOffer(kw, [], "the day has no blocks");
        if (kw < minBidKw)
            return new ReserveOffer(kw, [], $"the region can hold {kw:0.###} kW both ways for 15 minutes, below the minimum bid of {minBidKw:0.###} kW");
        return new ReserveOffer(kw, blocks.Select(b => new BidCurve(b.Index, [new BidStep(floorPriceEurPerMwh, kw)])).ToList(), null);
    }
}
