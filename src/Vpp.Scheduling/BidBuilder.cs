using Vpp.Domain.Markets;

namespace Vpp.Scheduling;

/// <summary>
/// Turns the optimiser into bid curves: for each product, the fleet's net power in that product
/// when its price alone is moved to each of a few levels (the day's forecast prices at their
/// minimum, quartiles and maximum, and the product's own forecast), everything else as forecast.
/// As an LP's optimum in a variable never falls when that variable's price rises, the curve is
/// monotone; ties between equally good schedules are evened out by a running maximum. Steps under
/// the market's minimum bid size trade nothing.
/// </summary>
public static class BidBuilder
{
    public static IReadOnlyList<BidCurve> Curves(ScheduleProblem forecast, double minBidKw)
    {
        var prices = forecast.Intervals.Select(i => i.PriceEurPerMwh).Order().ToArray();
        double Quantile(double q) => prices[(int)Math.Round(q * (prices.Length - 1))];
        var dayLevels = new[] { Quantile(0), Quantile(0.25), Quantile(0.5), Quantile(0.75), Quantile(1) };
        var curves = new List<BidCurve>(forecast.Intervals.Count);
        for (var t = 0; t < forecast.Intervals.Count; t++)
        {
            var steps = new List<BidStep>();
            var running = double.NegativeInfinity;
            foreach (var level in dayLevels.Append(forecast.Intervals[t].PriceEurPerMwh).Distinct().Order())
            {
                var moved = forecast.Intervals.ToArray();
                moved[t] = moved[t] with { PriceEurPerMwh = level };
                var q = ScheduleOptimiser.Solve(forecast with { Intervals = moved }).Intervals[t].NetKw;
                q = Math.Abs(q) < minBidKw ? 0 : Math.Round(q, 3);
                running = Math.Max(running, q);
                if (steps.Count == 0 || steps[^1].QuantityKw != running) steps.Add(new BidStep(level, running));
            }
            curves.Add(new BidCurve(t, steps));
        }
        return curves;
    }
}
