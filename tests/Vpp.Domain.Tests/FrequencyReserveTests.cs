using FsCheck;
using FsCheck.Xunit;
using Vpp.Domain.Batteries;
using Vpp.Domain.Grid;
using Vpp.Domain.Units;

namespace Vpp.Domain.Tests;

public class FrequencyReserveTests
{
    private static BatteryCapability B(string id, double max, double upKwh, double downKwh) =>
        new(id, Power.Zero, new Power(max), new Power(max), new Energy(upKwh), new Energy(downKwh));

    [Fact]
    public void A_commitment_must_last_fifteen_minutes_both_ways()
    {
        FrequencyReserve.Sustainable(B("a", 5, 10, 10)).Kw.Should().Be(5, "inverter-limited");
        FrequencyReserve.Sustainable(B("a", 5, 0.5, 10)).Kw.Should().BeApproximately(2, 1e-9, "0.5 kWh above the reserve lasts 15 min at 2 kW");
        FrequencyReserve.Sustainable(B("a", 5, 10, 0)).Should().Be(Power.Zero, "a full battery cannot absorb anything");
    }

    [Fact]
    public void The_region_commitment_is_shared_by_capability_and_held_back_from_dispatch()
    {
        var result = FrequencyReserve.Assign(new Power(6), [B("a", 5, 10, 10), B("b", 5, 0.25, 10)]);   // b sustains 1 kW
        result.Accepted.Kw.Should().Be(6);
        result.Sites.Single(s => s.SiteId == "b").Power.Kw.Should().BeLessThanOrEqualTo(1 + 1e-9);
        FrequencyReserve.Assign(new Power(100), [B("a", 5, 10, 10)]).Accepted.Kw.Should().Be(5);

        var held = FrequencyReserve.Hold(B("a", 5, 10, 10), new Power(2));
        held.MaxDischarge.Kw.Should().Be(3);
        held.MaxCharge.Kw.Should().Be(3);
        held.UpEnergy.Kwh.Should().BeApproximately(9.5, 1e-9);
        held.DownEnergy.Kwh.Should().BeApproximately(9.5, 1e-9);
    }

    [Fact]
    public void The_soc_window_leaves_fifteen_minutes_each_way_and_restoration_moves_towards_it()
    {
        var spec = new BatterySpec(new Energy(10), new Power(5), new Power(5), 0.81);   // 90 % each way
        var window = FrequencyReserve.SocWindow(spec, new Percent(20), new Power(2))!.Value;
        window.Low.Value.Should().BeApproximately(20 + 2 * 0.25 / 0.9 / 10 * 100, 1e-9);
        window.High.Value.Should().BeApproximately(100 - 2 * 0.25 * 0.9 / 10 * 100, 1e-9);
        FrequencyReserve.SocWindow(spec, new Percent(20), new Power(20)).Should().BeNull("too small for the commitment");

        SocRestoration.Setpoint(spec, new Percent(21), new Percent(20), new Power(2))!.Value.Kw.Should().Be(-3, "charge with the 3 kW left free");
        SocRestoration.Setpoint(spec, new Percent(99), new Percent(20), new Power(2))!.Value.Kw.Should().Be(3);
        SocRestoration.Setpoint(spec, new Percent(60), new Percent(20), new Power(2)).Should().BeNull();
        SocRestoration.Setpoint(spec, new Percent(21), new Percent(20), Power.Zero).Should().BeNull("not committed");
    }

    [Property(MaxTest = 300)]
    public bool Assigned_commitments_never_exceed_what_a_battery_can_sustain(PositiveInt[] maxes, NormalFloat total, int seed)
    {
        var rng = new Random(seed);
        var batteries = maxes.Take(40).Select((m, i) => B("b" + i, m.Get % 10 + 0.5, rng.NextDouble() * 5, rng.NextDouble() * 5)).ToList();
        var result = FrequencyReserve.Assign(new Power(Math.Abs(total.Get) % 500), batteries);
        return result.Sites.All(s => s.Power.Kw <= FrequencyReserve.Sustainable(batteries.Single(b => b.DeviceId == s.SiteId)).Kw + 1e-9);
    }
}
