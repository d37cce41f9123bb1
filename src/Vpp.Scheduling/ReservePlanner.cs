using Vpp.Domain.Markets;

namespace Vpp.Scheduling;

/// <summary>A reserve-capacity offer for a day: one curve per block, or why there is none.</summary>
public sealed record ReserveOffer(double SymmetricKw, IReadOnlyList<BidCurve> Curves, string? NothingToBid);

/// <summary>
/// Plans a frequency-reserve capacity offer: the symmetric power the pooled fleet can hold both ways
/// for 15 minutes (its power headroom each way, and the energy above the reserves and below full
/// for 15 minutes at that power), offered in every block at the floor price. The auction's minimum
/// bid (1 MW) is why only the aggregate can take part: a region below it offers nothing.
/// </summary>
public static class ReservePlanner
{
    public static readonly NodaTime.Duration Sustain = NodaTime.Duration.FromMinutes(15);

    public static double SymmetricKw(PlannerFleet fleet)
    {
        var hours = Sustain.TotalHours;
        var up = Math.Min(fleet.MaxDischargeKw, Math.Max(0, fleet.InitialKwh) / hours);
        var down = Math.Min(fleet.MaxChargeKw, Math.Max(0, fleet.UsableKwh - fleet.InitialKwh) / hours);
        return Math.Max(0, Math.Min(up, down));
    }

    public static ReserveOffer Offer(PlannerFleet fleet, IReadOnlyList<MarketProduct> blocks, double minBidKw, double floorPriceEurPerMwh)
    {
        var kw = Math.Floor(SymmetricKw(fleet) * 1000) / 1000;
        if (blocks.Count == 0) return new ReserveOffer(kw, [], "the day has no blocks");
        if (kw < minBidKw)
            return new ReserveOffer(kw, [], $"the region can hold {kw:0.###} kW both ways for 15 minutes, below the minimum bid of {minBidKw:0.###} kW");
        return new ReserveOffer(kw, blocks.Select(b => new BidCurve(b.Index, [new BidStep(floorPriceEurPerMwh, kw)])).ToList(), null);
    }
}
