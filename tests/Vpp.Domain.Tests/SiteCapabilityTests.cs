using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Grid;
using Vpp.Domain.Units;

namespace Vpp.Domain.Tests;

public class SiteCapabilityTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 23, 17, 0);

    private static SiteCapability Site(bool participating = true, Instant? overrideUntil = null, params string[] optedOut) =>
        new("s", [], Power.Zero, [], participating, overrideUntil, optedOut.ToHashSet(), T0);

    [Fact]
    public void A_participating_site_without_opt_out_or_override_allows_every_event()
    {
        Site().Refusal("e", T0).Should().BeNull();
        Site().Allows("e", T0).Should().BeTrue();
        Site(optedOut: "other").Allows("e", T0).Should().BeTrue("an opt-out is for one event only");
    }

    [Fact]
    public void Each_homeowner_choice_refuses_with_its_own_reason()
    {
        Site(participating: false).Refusal("e", T0).Should().Be("the homeowner does not take part in VPP events");
        Site(optedOut: "e").Refusal("e", T0).Should().Be("the homeowner opted out of this event");
        Site(overrideUntil: T0 + Duration.FromMinutes(5)).Refusal("e", T0).Should().StartWith("the homeowner has manual control until 2026-11-23T17:05:00");
        Site(participating: false).Allows("e", T0).Should().BeFalse();
        Site(optedOut: "e").Allows("e", T0).Should().BeFalse();
    }

    [Fact]
    public void Not_taking_part_at_all_is_the_reason_given_before_an_opt_out()
    {
        Site(participating: false, overrideUntil: T0 + Duration.FromHours(1), "e").Refusal("e", T0)
            .Should().Be("the homeowner does not take part in VPP events");
        Site(participating: true, overrideUntil: T0 + Duration.FromHours(1), "e").Refusal("e", T0)
            .Should().Be("the homeowner opted out of this event");
    }

    [Fact]
    public void A_manual_override_refuses_until_it_ends_and_not_from_the_instant_it_ends()
    {
        var until = T0 + Duration.FromMinutes(10);
        Site(overrideUntil: until).Allows("e", until - Duration.FromTicks(1)).Should().BeFalse();
        Site(overrideUntil: until).Allows("e", until).Should().BeTrue();
        Site(overrideUntil: until).Allows("e", until + Duration.FromSeconds(1)).Should().BeTrue();
    }

    [Fact]
    public void A_battery_capability_offers_the_terminal_energy_above_the_reserve_and_below_full()
    {
        // 10 kWh at 60 % with a 20 % reserve, 81 % round trip (90 % each way), discharging 1.5 kW now:
        // up 4 kWh stored above the reserve × 0.9 = 3.6 kWh out; down 4 kWh of room ÷ 0.9 = 4.444 kWh in.
        var spec = new BatterySpec(new Energy(10), new Power(3), new Power(5), 0.81);
        var b = BatteryCapability.Of("b", spec, new Percent(60), new Percent(20), new Power(1.5));

        b.DeviceId.Should().Be("b");
        b.Now.Kw.Should().Be(1.5);
        b.MaxDischarge.Kw.Should().Be(5);
        b.MaxCharge.Kw.Should().Be(3);
        b.UpEnergy.Kwh.Should().BeApproximately(3.6, 1e-12);
        b.DownEnergy.Kwh.Should().BeApproximately(4 / 0.9, 1e-12);
    }

    [Fact]
    public void A_battery_at_its_reserve_or_full_offers_no_energy_that_way()
    {
        var spec = new BatterySpec(new Energy(10), new Power(5), new Power(5), 0.81);
        BatteryCapability.Of("b", spec, new Percent(20), new Percent(20), Power.Zero).UpEnergy.Should().Be(Energy.Zero);
        BatteryCapability.Of("b", spec, new Percent(10), new Percent(20), Power.Zero).UpEnergy.Should().Be(Energy.Zero, "below the reserve is not negative energy");
        BatteryCapability.Of("b", spec, new Percent(100), new Percent(20), Power.Zero).DownEnergy.Should().Be(Energy.Zero);
    }
}

public class BatterySpecTests
{
    [Fact]
    public void Round_trip_efficiency_is_split_evenly_between_charge_and_discharge()
    {
        var spec = new BatterySpec(new Energy(13.5), new Power(5), new Power(7), 0.81);
        spec.ChargeEfficiency.Should().BeApproximately(0.9, 1e-12);
        spec.DischargeEfficiency.Should().BeApproximately(0.9, 1e-12);
        spec.RoundTripEfficiency.Should().Be(0.81);
        spec.Capacity.Kwh.Should().Be(13.5);
        spec.MaxCharge.Kw.Should().Be(5);
        spec.MaxDischarge.Kw.Should().Be(7);
    }

    [Fact]
    public void The_rating_is_the_larger_limit_either_way()
    {
        new BatterySpec(new Energy(10), new Power(3), new Power(5), 0.9).Rating.Kw.Should().Be(5);
        new BatterySpec(new Energy(10), new Power(6), new Power(5), 0.9).Rating.Kw.Should().Be(6);
        new BatterySpec(new Energy(10), new Power(4), new Power(4), 0.9).Rating.Kw.Should().Be(4);
    }

    [Fact]
    public void Stored_energy_is_the_capacity_times_the_state_of_charge()
    {
        var spec = new BatterySpec(new Energy(10), new Power(5), new Power(5), 0.9);
        spec.StoredAt(new Percent(0)).Kwh.Should().Be(0);
        spec.StoredAt(new Percent(35)).Kwh.Should().BeApproximately(3.5, 1e-12);
        spec.StoredAt(new Percent(100)).Kwh.Should().Be(10);
    }

    [Theory]
    [InlineData(0, 5, 5, 0.9, "capacity")]
    [InlineData(-1, 5, 5, 0.9, "capacity")]
    [InlineData(double.NaN, 5, 5, 0.9, "capacity")]
    [InlineData(double.PositiveInfinity, 5, 5, 0.9, "capacity")]
    [InlineData(10, 0, 5, 0.9, "maxCharge")]
    [InlineData(10, -5, 5, 0.9, "maxCharge")]
    [InlineData(10, double.PositiveInfinity, 5, 0.9, "maxCharge")]
    [InlineData(10, double.NaN, 5, 0.9, "maxCharge")]
    [InlineData(10, 5, 0, 0.9, "maxDischarge")]
    [InlineData(10, 5, double.PositiveInfinity, 0.9, "maxDischarge")]
    [InlineData(10, 5, double.NaN, 0.9, "maxDischarge")]
    [InlineData(10, 5, 5, 0, "roundTripEfficiency")]
    [InlineData(10, 5, 5, 1.0001, "roundTripEfficiency")]
    [InlineData(10, 5, 5, double.NaN, "roundTripEfficiency")]
    public void Ratings_that_are_not_physical_are_refused_naming_the_rating(double kwh, double chargeKw, double dischargeKw, double rte, string parameter)
    {
        var act = () => new BatterySpec(new Energy(kwh), new Power(chargeKw), new Power(dischargeKw), rte);
        var refused = act.Should().Throw<ArgumentOutOfRangeException>().Which;
        refused.ParamName.Should().Be(parameter);
        refused.Message.Should().StartWith(parameter switch
        {
            "capacity" => "Capacity must be a positive number of kWh.",
            "maxCharge" => "Max charge power must be a positive number of kW",
            "maxDischarge" => "Max discharge power must be a positive number of kW.",
            _ => "Round-trip efficiency must be in (0, 1].",
        });
    }

    [Fact]
    public void A_lossless_battery_is_allowed()
    {
        new BatterySpec(new Energy(10), new Power(5), new Power(5), 1).ChargeEfficiency.Should().Be(1);
    }
}
