using System.Diagnostics;
using NodaTime;
using Vpp.Scheduling;

namespace Vpp.Benchmarks;

/// <summary>
/// Optimisation time for one market day (96 quarter-hours) of N homes: the aggregated formulation
/// (the fleet as one battery: the baseline) and the per-site one (a battery per home, fleet
/// envelope on the sum: decomposed into one program per home, and as one monolithic program), same random homes and prices, median of the repetitions.
/// </summary>
public static class ScheduleBench
{
    public static int Run(int sites, int repetitions, bool perSite, bool monolithic, int rounds, string solver = "GLOP")
    {
        var rng = new Random(42);
        var homes = Enumerable.Range(0, sites).Select(_ =>
        {
            var capacity = 5 + rng.NextDouble() * 15;
            var floor = capacity * (0.1 + rng.NextDouble() * 0.2);
            return new FleetModel(capacity, floor + rng.NextDouble() * (capacity - floor) * 0.8, floor, 3 + rng.NextDouble() * 4, 3 + rng.NextDouble() * 4, 0.85 + rng.NextDouble() * 0.1);
        }).ToList();
        var fleetPower = homes.Sum(h => Math.Min(h.MaxChargeKw, h.MaxDischargeKw));
        var intervals = Enumerable.Range(0, 96).Select(t => new ScheduleInterval(70 + 60 * Math.Sin(t / 96.0 * 2 * Math.PI) + rng.NextDouble() * 20,
            ReserveKw: fleetPower * 0.1, ExportLimitKw: fleetPower * 0.6)).ToList();
        var length = Duration.FromMinutes(15);

        // The aggregate's time includes summing the homes, which grows with the fleet.
        var agg = Time(repetitions, () => ScheduleOptimiser.Solve(new ScheduleProblem(FleetModel.Sum(homes), intervals, length, 0.02)).ProfitEur);
        Console.WriteLine($"sites {sites}, 96 intervals, {repetitions} repetitions (median), {Environment.ProcessorCount} cores");
        Console.WriteLine($"aggregated (baseline)  {agg.Ms,10:0.0} ms   profit {agg.Profit,12:0.00} EUR   ({3 * 96} variables)");
        // What a market day does at bidding time: the schedule re-solved per product and price level for the curves.
        var curves = Time(repetitions, () => BidBuilder.Curves(new ScheduleProblem(FleetModel.Sum(homes), intervals, length, 0.02), 100).Count);
        Console.WriteLine($"bid curves (aggregated) {curves.Ms,9:0.0} ms   {curves.Profit,5:0} curves   ratio {curves.Ms / agg.Ms:0} × baseline");
        if (!perSite) return 0;
        // Each home its own small program, in parallel, the envelope coordinated by price (rounds).
        var decomposed = Time(repetitions, () => ScheduleOptimiser.SolvePerSiteDecomposed(homes, intervals, length, 0.02, rounds).Sum(s => s.ProfitEur));
        Console.WriteLine($"per site, decomposed ({rounds} rounds) {decomposed.Ms,10:0.0} ms   profit {decomposed.Profit,12:0.00} EUR   ({sites} programs of {3 * 96} variables)   ratio {decomposed.Ms / agg.Ms:0} × baseline");
        if (!monolithic) return 0;
        // No warm-up here: one monolithic per-site solve of a large fleet takes minutes.
        var per = Time(repetitions, () => ScheduleOptimiser.SolvePerSite(homes, intervals, length, 0.02, solver).Sum(s => s.ProfitEur), warmUp: false);
        Console.WriteLine($"per site, monolithic ({solver}) {per.Ms,10:0.0} ms   profit {per.Profit,12:0.00} EUR   ({3 * 96 * sites} variables)   ratio {per.Ms / agg.Ms:0} × baseline");
        return 0;
    }

    private static (double Ms, double Profit) Time(int repetitions, Func<double> solve, bool warmUp = true)
    {
        if (warmUp) solve(); // loads the native solver
        var times = new List<double>();
        var profit = 0.0;
        for (var i = 0; i < repetitions; i++)
        {
            var sw = Stopwatch.StartNew();
            profit = solve();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (times[times.Count / 2], profit);
    }
}
