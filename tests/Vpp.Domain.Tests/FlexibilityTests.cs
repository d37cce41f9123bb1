using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Flexibility;
using Vpp.Domain.Units;

namespace Vpp.Domain.Tests;

public class FlexibilityTests
{
    private static readonly BatterySpec Spec = new(new Energy(10), new Power(4), new Power(5), 0.81);

    [Fact]
    public void A_full_battery_offers_only_discharge()
    {
        var f = BatteryFlexibility.Of(Spec, new Percent(100), new Percent(20));

        f.Down.Should().Be(Power.Zero);
        f.DownEnergy.Should().Be(Energy.Zero);
        f.Up.Kw.Should().Be(5);
        // 8 kWh above a 20 % reserve × 0.9 discharge efficiency = 7.2 kWh at the terminals, 86.4 min at 5 kW.
        f.UpEnergy.Kwh.Should().BeApproximately(7.2, 1e-9);
        f.UpDuration.TotalMinutes.Should().BeApproximately(86.4, 1e-6);
    }

    [Fact]
    public void A_battery_at_its_reserve_offers_only_charge()
    {
        var f = BatteryFlexibility.Of(Spec, new Percent(20), new Percent(20));

        f.Up.Should().Be(Power.Zero);
        f.UpDuration.Should().Be(Duration.Zero);
        f.Down.Kw.Should().Be(4);
        // 8 kWh of room / 0.9 charge efficiency = 8.89 kWh drawn, 133.3 min at 4 kW.
        f.DownEnergy.Kwh.Should().BeApproximately(8 / 0.9, 1e-9);
        f.DownDuration.TotalMinutes.Should().BeApproximately(8 / 0.9 / 4 * 60, 1e-6);
    }

    [Fact]
    public void Below_the_reserve_nothing_is_offered_upwards()
    {
        BatteryFlexibility.Of(Spec, new Percent(10), new Percent(20)).UpEnergy.Should().Be(Energy.Zero);
    }

    [Fact]
    public void Losses_make_offered_energy_smaller_than_stored_energy()
    {
        var lossless = new BatterySpec(new Energy(10), new Power(4), new Power(5), 1.0);
        var withLoss = BatteryFlexibility.Of(Spec, new Percent(60), new Percent(20));
        var noLoss = BatteryFlexibility.Of(lossless, new Percent(60), new Percent(20));

        noLoss.UpEnergy.Kwh.Should().BeApproximately(4, 1e-9);
        withLoss.UpEnergy.Kwh.Should().BeLessThan(noLoss.UpEnergy.Kwh);
        withLoss.DownEnergy.Kwh.Should().BeGreaterThan(noLoss.DownEnergy.Kwh, "charging 4 kWh of room draws more than 4 kWh");
    }

    [Fact]
    public void Flexibility_adds_up_across_batteries()
    {
        var a = BatteryFlexibility.Of(Spec, new Percent(60), new Percent(20));
        var sum = a + a;
        sum.Up.Kw.Should().Be(10);
        sum.UpEnergy.Kwh.Should().BeApproximately(2 * a.UpEnergy.Kwh, 1e-9);
    }
}
