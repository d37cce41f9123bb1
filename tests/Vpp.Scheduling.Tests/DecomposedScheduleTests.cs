using FsCheck.Xunit;
using NodaTime;

namespace Vpp.Scheduling.Tests;

public class DecomposedScheduleTests
{
    private static readonly Duration Quarter = Duration.FromMinutes(15);

    [Fact]
    public void Identical_homes_earn_what_their_aggregate_earns_as_the_power_split_of_the_envelope_is_then_exact()
    {
        var home = new FleetModel(13.5, 6, 2.7, 5, 5, 0.9);
        var prices = Enumerable.Range(0, 96).Select(t => new ScheduleInterval(60 + 50 * Math.Sin(t / 96.0 * 2 * Math.PI), ReserveKw: 1.5,
            ExportLimitKw: t is >= 68 and < 76 ? 6 : null)).ToArray();
        var aggregate = ScheduleOptimiser.Solve(new ScheduleProblem(new FleetModel(40.5, 18, 8.1, 15, 15, 0.9), prices, Quarter, 0.01));

        var decomposed = ScheduleOptimiser.SolvePerSiteDecomposed([home, home, home], prices, Quarter, 0.01, rounds: 0);

        decomposed.Sum(s => s.ProfitEur).Should().BeApproximately(aggregate.ProfitEur, 1e-6);
        decomposed.Should().OnlyContain(s => s.Intervals[70].NetKw <= 2 + 1e-6, "each home has a third of the 6 kW export envelope");
    }

    [Fact]
    public void Envelope_a_home_cannot_use_goes_to_a_home_that_can()
    {
        // The first quarter-hour is dear and its export envelope 5 kW; both homes buy back later what
        // they sell. The empty home can sell nothing then, so its half of the envelope is worth
        // nothing to it; one round of coordination hands that half to the full home.
        var full = new FleetModel(10, 10, 0, 5, 5, 1);
        var empty = new FleetModel(10, 0, 0, 5, 5, 1);
        ScheduleInterval[] prices = [new(300, ExportLimitKw: 5), new(50), new(50)];

        var split = ScheduleOptimiser.SolvePerSiteDecomposed([full, empty], prices, Quarter, 0, rounds: 0);
        var coordinated = ScheduleOptimiser.SolvePerSiteDecomposed([full, empty], prices, Quarter, 0, rounds: 1);
        var exact = ScheduleOptimiser.SolvePerSite([full, empty], prices, Quarter, 0);

        split[0].Intervals[0].NetKw.Should().BeApproximately(2.5, 1e-6, "round 0 splits the envelope by power");
        coordinated[0].Intervals[0].NetKw.Should().BeApproximately(5, 1e-6);
        coordinated.Sum(s => s.ProfitEur).Should().BeApproximately(exact.Sum(s => s.ProfitEur), 1e-6);
    }

    [Fact]
    public void A_home_that_cannot_keep_its_reserve_share_fails_the_fleet_with_the_solvers_reason_or_idles_when_asked()
    {
        // The reserve is split by power: the tiny home's 1.5 kW share needs more energy headroom than its 0.2 kWh.
        FleetModel[] homes = [new(10, 5, 1, 5, 5, 0.9), new(0.2, 0.1, 0, 5, 5, 0.9)];
        var prices = Enumerable.Range(0, 96).Select(t => new ScheduleInterval(t < 48 ? 20 : 200, ReserveKw: 3)).ToArray();

        ((Action)(() => ScheduleOptimiser.SolvePerSiteDecomposed(homes, prices, Quarter, 0.01))).Should().Throw<InvalidOperationException>()
            .WithMessage("*reserve*");
        var schedules = ScheduleOptimiser.SolvePerSiteDecomposed(homes, prices, Quarter, 0.01, idleWhenInfeasible: true);

        schedules[1].Intervals.Should().OnlyContain(i => i.NetKw == 0, "the home that cannot hold its share trades nothing");
        schedules[0].ProfitEur.Should().BeGreaterThan(0, "the other home still plans its day");
    }

    [Fact]
    public void Solving_many_problems_at_once_gives_each_its_own_optimum()
    {
        var rng = new Random(7);
        var problems = Enumerable.Range(0, 40).Select(_ => new ScheduleProblem(
            new FleetModel(10, 5, 1, 3 + rng.NextDouble() * 4, 3 + rng.NextDouble() * 4, 0.8 + rng.NextDouble() * 0.2),
            Enumerable.Range(0, 96).Select(_ => new ScheduleInterval(rng.NextDouble() * 200 - 20, ExportLimitKw: rng.Next(3) == 0 ? 1 : null)).ToArray(),
            Quarter, 0.01)).ToList();

        var many = ScheduleOptimiser.SolveMany(problems);

        many.Select(s => s.ProfitEur).Should().Equal(problems.Select(p => ScheduleOptimiser.Solve(p).ProfitEur), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    /// <summary>
    /// Random fleets, prices, reserves, baselines and envelopes: every home stays within its own power
    /// and energy limits, the fleet's sum within the envelope, coordination never lowers the profit,
    /// and no decomposition beats the monolithic per-site optimum.
    /// </summary>
    [Property(MaxTest = 25)]
    public bool Decomposed_schedules_keep_every_limit_and_the_fleet_envelope(int seed)
    {
        var rng = new Random(seed);
        var homes = Enumerable.Range(0, 2 + rng.Next(8)).Select(_ =>
        {
            var capacity = 5 + rng.NextDouble() * 15;
            var floor = capacity * rng.NextDouble() * 0.3;
            return new FleetModel(capacity, floor + 0.2 * (capacity - floor) + rng.NextDouble() * 0.6 * (capacity - floor), floor,
                2 + rng.NextDouble() * 5, 2 + rng.NextDouble() * 5, 0.8 + rng.NextDouble() * 0.2);
        }).ToList();
        var power = homes.Sum(h => Math.Min(h.MaxChargeKw, h.MaxDischargeKw));
        var intervals = Enumerable.Range(0, 48).Select(_ => new ScheduleInterval(rng.NextDouble() * 300 - 50,
            ReserveKw: rng.Next(2) == 0 ? power * 0.1 : 0,
            ExportLimitKw: rng.Next(2) == 0 ? rng.NextDouble() * power : null,
            ImportLimitKw: rng.Next(2) == 0 ? rng.NextDouble() * power : null,
            BaselineKw: (rng.NextDouble() * 2 - 1) * power * 0.3)).ToArray();
        var degradation = rng.NextDouble() * 0.03;

        var exact = ScheduleOptimiser.SolvePerSite(homes, intervals, Quarter, degradation).Sum(s => s.ProfitEur);
        var previous = double.NegativeInfinity;
        for (var rounds = 0; rounds <= 3; rounds++)
        {
            var schedules = ScheduleOptimiser.SolvePerSiteDecomposed(homes, intervals, Quarter, degradation, rounds);
            for (var t = 0; t < intervals.Length; t++)
            {
                var net = schedules.Sum(s => s.Intervals[t].NetKw);
                if (intervals[t].ExportLimitKw is { } e && net > e + 1e-6) return false;
                if (intervals[t].ImportLimitKw is { } m && -net > m + 1e-6) return false;
            }
            foreach (var (home, s) in homes.Zip(schedules))
                foreach (var x in s.Intervals)
                {
                    var physical = x.BaselineKw + x.NetKw;
                    if (physical > home.MaxDischargeKw + 1e-6 || -physical > home.MaxChargeKw + 1e-6) return false;
                    if (x.EnergyEndKwh < home.FloorKwh - 1e-6 || x.EnergyEndKwh > home.CapacityKwh + 1e-6) return false;
                }
            var profit = schedules.Sum(s => s.ProfitEur);
            if (profit < previous - 1e-6 || profit > exact + 1e-6) return false;
            previous = profit;
        }
        return true;
    }
}
