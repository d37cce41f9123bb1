using FsCheck;
using FsCheck.Xunit;
using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Units;

namespace Vpp.Domain.Tests;

public class BatteryPhysicsTests
{
    // 10 kWh, 5 kW both ways, 81 % round trip = 90 % each way.
    private static readonly BatterySpec Spec = new(new Energy(10), new Power(5), new Power(5), 0.81);
    private static readonly Percent NoFloor = new(0);

    [Fact]
    public void Discharging_draws_more_from_the_cells_than_it_delivers()
    {
        var step = BatteryPhysics.Step(Spec, new Percent(50), new Power(4.5), Duration.FromHours(1), NoFloor);

        step.Power.Kw.Should().Be(4.5);
        // 4.5 kWh at the terminals / 0.9 = 5 kWh out of the cells = 50 % of 10 kWh.
        step.Soc.Value.Should().BeApproximately(0, 1e-9);
    }

    [Fact]
    public void Charging_stores_less_than_it_draws()
    {
        var step = BatteryPhysics.Step(Spec, new Percent(0), new Power(-5), Duration.FromHours(1), NoFloor);

        step.Power.Kw.Should().Be(-5, "negative power = into the battery");
        step.Soc.Value.Should().BeApproximately(45, 1e-9, "5 kWh in × 0.9 = 4.5 kWh stored");
    }

    [Fact]
    public void A_full_round_trip_returns_the_round_trip_efficiency()
    {
        var charged = BatteryPhysics.Step(Spec, new Percent(0), new Power(-4), Duration.FromHours(1), NoFloor);
        var energyIn = 4.0;
        var energyOut = 0.0;
        var soc = charged.Soc;
        for (var i = 0; i < 100 && soc.Value > 1e-9; i++)
        {
            var d = BatteryPhysics.Step(Spec, soc, new Power(5), Duration.FromMinutes(6), NoFloor);
            energyOut += d.Power.Kw * 0.1;
            soc = d.Soc;
        }
        (energyOut / energyIn).Should().BeApproximately(0.81, 1e-9);
    }

    [Fact]
    public void Power_is_limited_by_the_inverter_rating()
    {
        BatteryPhysics.Step(Spec, new Percent(50), new Power(9), Duration.FromSeconds(1), NoFloor).Power.Kw.Should().Be(5);
        BatteryPhysics.Step(Spec, new Percent(50), new Power(-9), Duration.FromSeconds(1), NoFloor).Power.Kw.Should().Be(-5);
    }

    [Fact]
    public void Discharge_stops_exactly_at_the_floor()
    {
        // 21 % with a 20 % floor: 0.1 kWh in the cells above floor = 0.09 kWh at the terminals.
        var step = BatteryPhysics.Step(Spec, new Percent(21), new Power(5), Duration.FromHours(1), new Percent(20));

        step.Power.Kw.Should().BeApproximately(0.09, 1e-9);
        step.Soc.Value.Should().BeApproximately(20, 1e-9);
    }

    [Fact]
    public void A_battery_at_the_floor_delivers_nothing_and_a_full_one_takes_nothing()
    {
        BatteryPhysics.Step(Spec, new Percent(20), new Power(3), Duration.FromMinutes(1), new Percent(20)).Power.Should().Be(Power.Zero);
        BatteryPhysics.Step(Spec, new Percent(100), new Power(-3), Duration.FromMinutes(1), NoFloor).Power.Should().Be(Power.Zero);
    }

    [Property(MaxTest = 500)]
    public bool Soc_never_leaves_floor_to_full_and_power_never_exceeds_limits(NormalFloat soc0, NormalFloat requested, PositiveInt seconds, NormalFloat floor0)
    {
        var soc = new Percent(Math.Abs(soc0.Get) % 100);
        var floor = new Percent(Math.Abs(floor0.Get) % 100);
        var startAboveFloor = soc.Value >= floor.Value;
        var step = BatteryPhysics.Step(Spec, soc, new Power(requested.Get % 20), Duration.FromSeconds(seconds.Get % 7200 + 1), floor);
        return step.Power.Kw <= 5 + 1e-9 && step.Power.Kw >= -5 - 1e-9
               && step.Soc.Value <= 100 + 1e-9
               && (!startAboveFloor || step.Soc.Value >= floor.Value - 1e-9)
               && (step.Power.Kw <= 0 || step.Soc.Value <= soc.Value)
               && (step.Power.Kw >= 0 || step.Soc.Value >= soc.Value);
    }

    [Fact]
    public void Invalid_specs_are_refused()
    {
        var act = () => new BatterySpec(new Energy(0), new Power(5), new Power(5), 0.9);
        act.Should().Throw<ArgumentOutOfRangeException>();
        var nan = () => new BatterySpec(new Energy(10), new Power(double.NaN), new Power(5), 0.9);
        nan.Should().Throw<ArgumentOutOfRangeException>();
        var rte = () => new BatterySpec(new Energy(10), new Power(5), new Power(5), 1.2);
        rte.Should().Throw<ArgumentOutOfRangeException>();
    }
}
