using NodaTime;

namespace Vpp.Scheduling.Tests;

/// <summary>
/// Schedules small enough to solve by hand, over half-hour intervals (h = 0.5, so a kW/kWh slip shows).
/// Energy balance per interval: e_t = e_(t−1) + ηc·h·c_t − h/ηd·d_t + baseline drift.
/// </summary>
public class ScheduleByHandTests
{
    private static readonly Duration HalfHour = Duration.FromMinutes(30);

    private static Schedule Solve(FleetModel fleet, double[] prices, double[]? baselineKw = null, double degradation = 0.01, double? finalMinKwh = null) =>
        ScheduleOptimiser.Solve(new ScheduleProblem(fleet,
            prices.Select((p, t) => new ScheduleInterval(p, BaselineKw: baselineKw?[t] ?? 0)).ToList(), HalfHour, degradation, finalMinKwh));

    [Fact]
    public void Buy_at_0_and_sell_at_100_with_the_revenue_and_wear_worked_out()
    {
        // Lossless 10 kWh at 5 kWh, 4 kW each way: charge 4 kW (2 kWh), then sell them back to end where it began.
        var s = Solve(new FleetModel(10, 5, 0, 4, 4, 1.0), [0, 100]);

        s.Intervals.Select(i => i.NetKw).Should().Equal([-4, 4], (a, b) => Math.Abs(a - b) < 1e-9);
        s.Intervals.Select(i => i.EnergyEndKwh).Should().Equal([7, 5], (a, b) => Math.Abs(a - b) < 1e-9);
        s.RevenueEur.Should().BeApproximately(100 / 1000.0 * 4 * 0.5, 1e-9, "4 kW for half an hour at 100 EUR/MWh");
        s.DegradationEur.Should().BeApproximately(0.01 * (4 + 4) * 0.5, 1e-9, "4 kWh through the battery at 0.01 EUR/kWh");
        s.ProfitEur.Should().BeApproximately(0.16, 1e-9);
    }

    [Fact]
    public void A_baseline_discharge_stops_at_the_floor_and_a_baseline_charge_at_full()
    {
        // 81 % round trip (0.9 each way). 0.45 kWh above the 1 kWh floor: the homes' 2 kW discharge can run only
        // 0.45 · 0.9 / 0.5 = 0.81 kW for the first half hour, then nothing. Nothing is worth trading at a price of 0.
        var draining = Solve(new FleetModel(10, 1.45, 1, 5, 5, 0.81), [0, 0], baselineKw: [2, 2], finalMinKwh: 0);
        draining.Intervals[0].BaselineKw.Should().BeApproximately(0.81, 1e-9);
        draining.Intervals[1].BaselineKw.Should().BeApproximately(0, 1e-9);
        draining.Intervals.Should().OnlyContain(i => Math.Abs(i.EnergyEndKwh - 1) < 1e-9 && Math.Abs(i.NetKw) < 1e-9);

        // 0.45 kWh below full: the homes' 3 kW of PV surplus can charge only 0.45 / 0.9 / 0.5 = 1 kW.
        var filling = Solve(new FleetModel(10, 9.55, 0, 5, 5, 0.81), [0, 0], baselineKw: [-3, -3], finalMinKwh: 0);
        filling.Intervals[0].BaselineKw.Should().BeApproximately(-1, 1e-9);
        filling.Intervals[1].BaselineKw.Should().BeApproximately(0, 1e-9);
        filling.Intervals.Should().OnlyContain(i => Math.Abs(i.EnergyEndKwh - 10) < 1e-9);
    }

    [Fact]
    public void The_market_may_undo_the_homes_own_discharge_and_charge_on_top()
    {
        // Paid 100 EUR/MWh to take energy: the market stops the homes' 2 kW discharge and charges 5 kW besides: 7 kW bought.
        var s = Solve(new FleetModel(100, 50, 0, 5, 5, 1.0), [-100, 0], baselineKw: [2, 0]);
        s.Intervals[0].NetKw.Should().BeApproximately(-7, 1e-9);
        s.Intervals[0].EnergyEndKwh.Should().BeApproximately(50 - 1 + 3.5, 1e-9);
        s.RevenueEur.Should().BeApproximately(0.35, 1e-9);
    }

    [Fact]
    public void The_market_may_undo_the_homes_own_charge_and_discharge_on_top()
    {
        // Selling at 100 while the homes charge 2 kW from PV: stop that and discharge 5 kW, 7 kW sold; bought back at 0
        // later to end where the baseline would have (50 + 1 kWh).
        var s = Solve(new FleetModel(100, 50, 0, 5, 5, 1.0), [100, 0, 0], baselineKw: [-2, 0, 0]);
        s.Intervals[0].NetKw.Should().BeApproximately(7, 1e-9);
        s.Intervals[^1].EnergyEndKwh.Should().BeApproximately(51, 1e-9);
    }
}
