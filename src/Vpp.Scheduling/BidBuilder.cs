using Vpp.Domain.Markets;

namespace Vpp.Scheduling;

/// <summary>
/// Turns the optimiser into bid curves: for each product, the fleet's net power in that product
/// when its price alone is moved to each of a few levels (the day's forecast prices at their
/// minimum, quartiles and maximum, and the product's own forecast), everything else as forecast.
/// As an LP's optimum in a variable never falls when that variable's price rises, the curve is
/// monotone; ties between equally good schedules are evened out by a running maximum. Each curve is
/// then held within what the day's schedule plans for that product (0 … scheduled kW): a product's
/// curve is built with the others at their forecast, so more than the schedule in one product could
/// not be honoured together with the awards of the others (a fleet that buys in every cheap-looking
/// product fills up). Within a band around the product's forecast (10 % of the day's price range,
/// at least 5 EUR/MWh) the planned quantity is bid in full, so noise in the prices moves sells and
/// buys alike. Steps under the market's minimum bid size trade nothing.
/// </summary>
public static class BidBuilder
{
    /// <param name="plannedNetKw">
    /// What the day's schedule trades per product, when known better than the pooled schedule (e.g. the
    /// sum of the homes' own schedules: a pooled fleet lends power between homes that one by one run
    /// out); null: the pooled schedule of <paramref name="forecast"/>.
    /// </param>
    public static IReadOnlyList<BidCurve> Curves(ScheduleProblem forecast, double minBidKw, IReadOnlyList<double>? plannedNetKw = null)
    {
        var prices = forecast.Intervals.Select(i => i.PriceEurPerMwh).Order().ToArray();
        double Quantile(double q) => prices[(int)Math.Round(q * (prices.Length - 1))];
        var dayLevels = new[] { Quantile(0), Quantile(0.25), Quantile(0.5), Quantile(0.75), Quantile(1) };
        var planned = plannedNetKw ?? ScheduleOptimiser.Solve(forecast).Intervals.Select(i => i.NetKw).ToList();
        var band = Math.Max(5, 0.1 * (prices[^1] - prices[0]));
        // Every (product, level) re-solve is independent: all of them at once, in parallel.
        var levels = Enumerable.Range(0, forecast.Intervals.Count).Select(t =>
        {
            var own = forecast.Intervals[t].PriceEurPerMwh;
            return dayLevels.Append(own - band).Append(own).Append(own + band).Distinct().Order().ToArray();
        }).ToArray();
        var moves = levels.SelectMany((at, t) => at.Select(level =>
        {
            var moved = forecast.Intervals.ToArray();
            moved[t] = moved[t] with { PriceEurPerMwh = level };
            return forecast with { Intervals = moved };
        })).ToList();
        var solved = ScheduleOptimiser.SolveMany(moves);
        var next = 0;
        var curves = new List<BidCurve>(forecast.Intervals.Count);
        for (var t = 0; t < forecast.Intervals.Count; t++)
        {
            var (low, high) = (Math.Min(0, planned[t]), Math.Max(0, planned[t]));
            var steps = new List<BidStep>();
            var running = double.NegativeInfinity;
            var own = forecast.Intervals[t].PriceEurPerMwh;
            foreach (var level in levels[t])
            {
                var q = Math.Clamp(solved[next++].Intervals[t].NetKw, low, high);
                // Within the band around the forecast the planned trade stands in full, both ways:
                // a price a little off the forecast must not drop the sells and keep the buys.
                if (high > 0 && level >= own - band) q = high;
                if (low < 0 && level <= own + band) q = low;
                q = Math.Abs(q) < minBidKw ? 0 : Math.Round(q, 3);
                running = Math.Max(running, q);
                if (steps.Count == 0 || steps[^1].QuantityKw != running) steps.Add(new BidStep(level, running));
            }
            curves.Add(new BidCurve(t, steps));
        }
        return curves;
    }
}
