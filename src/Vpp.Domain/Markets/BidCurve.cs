namespace Vpp.Domain.Markets;

/// <summary>At this price or above, the fleet trades this much: kW &gt; 0 sells (discharges), &lt; 0 buys (charges).</summary>
public sealed record BidStep(double PriceEurPerMwh, double QuantityKw);

/// <summary>
/// One product's stepwise price–quantity curve. Monotone: as the price rises the fleet sells more
/// (or buys less), so steps come in strictly rising price with non-decreasing quantity. The step
/// in force at a price is the last one at or below it; below the first step the fleet trades nothing.
/// </summary>
public sealed record BidCurve(int ProductIndex, IReadOnlyList<BidStep> Steps)
{
    public double QuantityAt(double clearingPriceEurPerMwh)
    {
        var q = 0.0;
        foreach (var s in Steps)
        {
            if (s.PriceEurPerMwh > clearingPriceEurPerMwh) break;
            q = s.QuantityKw;
        }
        return q;
    }

    /// <summary>What is wrong with the curve for a market with this minimum bid size, or null.</summary>
    public string? Problem(double minBidKw)
    {
        for (var i = 0; i < Steps.Count; i++)
        {
            var s = Steps[i];
            if (!double.IsFinite(s.PriceEurPerMwh) || !double.IsFinite(s.QuantityKw)) return $"step {i}: price and quantity must be numbers";
            if (s.QuantityKw != 0 && Math.Abs(s.QuantityKw) < minBidKw) return $"step {i}: {Math.Abs(s.QuantityKw)} kW is below the minimum bid of {minBidKw} kW";
            if (i == 0) continue;
            if (s.PriceEurPerMwh <= Steps[i - 1].PriceEurPerMwh) return $"step {i}: prices must rise from step to step";
            if (s.QuantityKw < Steps[i - 1].QuantityKw) return $"step {i}: the quantity must not fall as the price rises";
        }
        return null;
    }
}
