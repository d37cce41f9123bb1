using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Flexibility;
using Vpp.Domain.Solar;
using Vpp.Domain.Telemetry;
using Vpp.Domain.Units;

namespace Vpp.Domain.Tests;

/// <summary>Physics over steps other than an hour (where kW and kWh are the same number), and sums, by hand.</summary>
public class PhysicsByHandTests
{
    // 10 kWh, 5 kW each way, 81 % round trip (90 % each way).
    private static readonly BatterySpec Spec = new(new Energy(10), new Power(5), new Power(5), 0.81);

    [Fact]
    public void A_quarter_hour_of_charging_stores_the_power_times_the_quarter_times_the_charge_efficiency()
    {
        // 5 kW for 0.25 h at 90 % in: 1.125 kWh, from 5 to 6.125 kWh.
        var step = BatteryPhysics.Step(Spec, new Percent(50), new Power(-5), Duration.FromMinutes(15), new Percent(20));
        step.Power.Kw.Should().Be(-5);
        step.Soc.Value.Should().BeApproximately(61.25, 1e-9);
    }

    [Fact]
    public void Charging_near_full_is_limited_to_the_room_left_over_the_step()
    {
        // 0.5 kWh of room at 90 % in over 0.25 h: 0.5 / 0.9 / 0.25 = 2.222 kW, and the battery ends full.
        var step = BatteryPhysics.Step(Spec, new Percent(95), new Power(-5), Duration.FromMinutes(15), new Percent(20));
        step.Power.Kw.Should().BeApproximately(-0.5 / 0.9 / 0.25, 1e-9);
        step.Soc.Value.Should().BeApproximately(100, 1e-9);
    }

    [Fact]
    public void A_step_of_no_time_changes_nothing()
    {
        var step = BatteryPhysics.Step(Spec, new Percent(50), new Power(5), Duration.Zero, new Percent(20));
        step.Should().Be(new BatteryStep(Power.Zero, new Percent(50)));
    }

    [Fact]
    public void Flexibility_of_two_batteries_adds_power_and_energy_and_keeps_the_longer_duration()
    {
        var a = BatteryFlexibility.Of(Spec, new Percent(60), new Percent(20));   // up 4·0.9 = 3.6 kWh, down 4/0.9 kWh
        var b = BatteryFlexibility.Of(new BatterySpec(new Energy(20), new Power(2), new Power(3), 0.81), new Percent(50), new Percent(20)); // up 6·0.9, down 10/0.9

        var sum = a + b;
        sum.Up.Kw.Should().Be(5 + 3);
        sum.UpEnergy.Kwh.Should().BeApproximately(3.6 + 5.4, 1e-9);
        sum.Down.Kw.Should().Be(5 + 2);
        sum.DownEnergy.Kwh.Should().BeApproximately(4 / 0.9 + 10 / 0.9, 1e-9);
        sum.UpDuration.TotalHours.Should().BeApproximately(5.4 / 3, 1e-9, "b's 5.4 kWh at 3 kW lasts longer than a's 3.6 at 5");
        sum.DownDuration.TotalHours.Should().BeApproximately(10 / 0.9 / 2, 1e-9);
        a.DownDuration.TotalHours.Should().BeApproximately(4 / 0.9 / 5, 1e-9);
        BatteryFlexibility.Of(Spec, new Percent(100), new Percent(20)).DownDuration.Should().Be(Duration.Zero, "a full battery takes nothing");
    }

    [Fact]
    public void Battery_throughput_counts_energy_in_and_out()
    {
        new EnergyTotals(0, 0, 0, 0, 0, BatteryChargeKwh: 1.5, BatteryDischargeKwh: 0.5).BatteryThroughputKwh.Should().Be(2);
    }

    [Fact]
    public void Clear_sky_irradiance_at_a_low_sun_follows_haurwitz()
    {
        // sin(elevation) = 0.1: 1098 · 0.1 · e^(−0.057 / 0.1) = 62.1 W/m².
        var elevation = Math.Asin(0.1) * 180 / Math.PI;
        ClearSkyPv.ClearSkyIrradianceWm2(elevation).Should().BeApproximately(1098 * 0.1 * Math.Exp(-0.57), 1e-9);
        ClearSkyPv.ClearSkyIrradianceWm2(0).Should().Be(0);
    }

    [Fact]
    public void The_sun_is_highest_at_solar_noon_which_the_equation_of_time_moves_off_12_00_utc_at_greenwich()
    {
        // On 3 November the equation of time is about +16.4 min: solar noon at 0° longitude is near 11:43.6 UTC,
        // and the sun stands as high 15 minutes either side of it.
        var greenwich = new GeoLocation(50, 0);
        double At(int h, double m) => ClearSkyPv.SolarElevationDeg(greenwich, Instant.FromUtc(2026, 11, 3, h, 0) + Duration.FromSeconds(m * 60));
        At(11, 28.6).Should().BeApproximately(At(11, 58.6), 0.01);
        At(11, 43.6).Should().BeGreaterThan(At(12, 0));
        // 50° N in early November: the noon sun stands about 90 − 50 − 15 = 25° high.
        At(11, 43.6).Should().BeInRange(24, 26);
    }
}
