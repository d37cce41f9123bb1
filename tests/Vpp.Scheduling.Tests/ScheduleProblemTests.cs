using NodaTime;

namespace Vpp.Scheduling.Tests;

/// <summary>The checks a schedule problem passes before the optimiser sees it: each rule at its edge.</summary>
public class ScheduleProblemTests
{
    private static readonly FleetModel Fleet = new(CapacityKwh: 100, InitialKwh: 50, FloorKwh: 10, MaxChargeKw: 20, MaxDischargeKw: 30, RoundTripEfficiency: 0.9);
    private static readonly Duration Quarter = Duration.FromMinutes(15);

    private static ScheduleProblem Problem(FleetModel? fleet = null, ScheduleInterval? interval = null, Duration? length = null, double degradation = 0.01, double? finalMinKwh = null) =>
        new(fleet ?? Fleet, [interval ?? new ScheduleInterval(80)], length ?? Quarter, degradation, finalMinKwh);

    [Fact]
    public void A_problem_at_every_edge_that_is_allowed_is_fine()
    {
        Problem().Problem().Should().BeNull();
        Problem(Fleet with { RoundTripEfficiency = 1 }).Problem().Should().BeNull("a lossless battery");
        Problem(Fleet with { FloorKwh = 100, InitialKwh = 100 }).Problem().Should().BeNull("a floor at capacity leaves nothing to trade but is consistent");
        Problem(Fleet with { InitialKwh = 10 }).Problem().Should().BeNull("starting at the floor");
        Problem(Fleet with { InitialKwh = 100 }).Problem().Should().BeNull("starting full");
        Problem(finalMinKwh: 0).Problem().Should().BeNull();
        Problem(finalMinKwh: 100).Problem().Should().BeNull();
        Problem(interval: new ScheduleInterval(-500, ReserveKw: 20, ExportLimitKw: 0, ImportLimitKw: 0, BaselineKw: -3)).Problem()
            .Should().BeNull("negative prices and baselines are real; reserve up to the smaller limit; zero envelopes");
        Problem(degradation: 0).Problem().Should().BeNull();
    }

    [Theory]
    [InlineData(-1, 50, 10, 20, 30, 0.9)]
    [InlineData(100, -1, 10, 20, 30, 0.9)]
    [InlineData(100, 50, -1, 20, 30, 0.9)]
    [InlineData(100, 50, 10, -1, 30, 0.9)]
    [InlineData(100, 50, 10, 20, double.NaN, 0.9)]
    [InlineData(100, 50, 10, 20, double.PositiveInfinity, 0.9)]
    public void A_fleet_figure_that_is_negative_or_not_a_number_is_refused(double capacity, double initial, double floor, double charge, double discharge, double rte) =>
        Problem(new FleetModel(capacity, initial, floor, charge, discharge, rte)).Problem()
            .Should().Be("fleet figures and the degradation cost must be finite and ≥ 0");

    [Fact]
    public void Each_other_rule_says_what_is_wrong()
    {
        Problem(degradation: -0.01).Problem().Should().Be("fleet figures and the degradation cost must be finite and ≥ 0");
        Problem(Fleet with { RoundTripEfficiency = 0 }).Problem().Should().Be("round-trip efficiency must be in (0, 1]");
        Problem(Fleet with { RoundTripEfficiency = 1.01 }).Problem().Should().Be("round-trip efficiency must be in (0, 1]");
        Problem(Fleet with { FloorKwh = 100.5, InitialKwh = 100 }).Problem().Should().Be("the reserve floor is above capacity");
        Problem(Fleet with { InitialKwh = 9.99 }).Problem().Should().Be("the initial energy is outside [floor, capacity]");
        Problem(Fleet with { InitialKwh = 100.01 }).Problem().Should().Be("the initial energy is outside [floor, capacity]");
        Problem(length: Duration.Zero).Problem().Should().Be("the interval length must be positive");
        Problem(finalMinKwh: -0.1).Problem().Should().Be("the final energy must be within [0, capacity]");
        Problem(finalMinKwh: 100.1).Problem().Should().Be("the final energy must be within [0, capacity]");
        Problem(finalMinKwh: double.NaN).Problem().Should().Be("the final energy must be within [0, capacity]");
        new ScheduleProblem(Fleet, [], Quarter, 0.01).Problem().Should().Be("no intervals");
    }

    [Fact]
    public void Each_interval_rule_names_the_interval()
    {
        Problem(interval: new ScheduleInterval(double.NaN)).Problem().Should().Be("interval 0: the price is not a number");
        Problem(interval: new ScheduleInterval(80, ReserveKw: 20.01)).Problem().Should().Be("interval 0: reserve must be between 0 and the fleet's charge and discharge limits");
        Problem(interval: new ScheduleInterval(80, ReserveKw: -1)).Problem().Should().Be("interval 0: reserve must be between 0 and the fleet's charge and discharge limits");
        Problem(interval: new ScheduleInterval(80, ReserveKw: double.NaN)).Problem().Should().Be("interval 0: reserve must be between 0 and the fleet's charge and discharge limits");
        Problem(interval: new ScheduleInterval(80, ExportLimitKw: -1)).Problem().Should().Be("interval 0: export limit must be ≥ 0");
        Problem(interval: new ScheduleInterval(80, ImportLimitKw: double.NaN)).Problem().Should().Be("interval 0: import limit must be ≥ 0");
        Problem(interval: new ScheduleInterval(80, BaselineKw: double.PositiveInfinity)).Problem().Should().Be("interval 0: the baseline is not a number");
        new ScheduleProblem(Fleet, [new ScheduleInterval(80), new ScheduleInterval(double.NaN)], Quarter, 0.01).Problem().Should().Be("interval 1: the price is not a number");
    }

    [Fact]
    public void Homes_pooled_into_one_battery_add_their_energies_and_powers_and_average_their_efficiency()
    {
        var pooled = FleetModel.Sum([new FleetModel(10, 6, 2, 5, 4, 0.9), new FleetModel(13.5, 7, 2.7, 5, 5, 0.8)]);
        pooled.CapacityKwh.Should().BeApproximately(23.5, 1e-12);
        pooled.InitialKwh.Should().BeApproximately(13, 1e-12);
        pooled.FloorKwh.Should().BeApproximately(4.7, 1e-12);
        pooled.MaxChargeKw.Should().BeApproximately(10, 1e-12);
        pooled.MaxDischargeKw.Should().BeApproximately(9, 1e-12);
        pooled.RoundTripEfficiency.Should().BeApproximately(0.85, 1e-12);
    }
}
