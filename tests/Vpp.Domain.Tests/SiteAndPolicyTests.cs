using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Load;
using Vpp.Domain.Sites;
using Vpp.Domain.Solar;
using Vpp.Domain.Units;

namespace Vpp.Domain.Tests;

public class SiteBalanceTests
{
    [Fact]
    public void Load_is_what_pv_battery_and_grid_supply()
    {
        // 3 kW PV, battery charging at 1 kW, importing 0.5 kW: the home uses 2.5 kW.
        var b = new SitePowerBalance(new Power(3), new Power(-1), new Power(0.5));
        b.Load.Kw.Should().Be(2.5);
        b.Import.Kw.Should().Be(0.5);
        b.Export.Should().Be(Power.Zero);
    }

    [Fact]
    public void Exporting_shows_as_negative_grid()
    {
        SitePowerBalance.GridFor(new Power(1), new Power(4), new Power(0)).Kw.Should().Be(-3);
        new SitePowerBalance(new Power(4), Power.Zero, new Power(-3)).Export.Kw.Should().Be(3);
    }

    [Fact]
    public void Self_consumption_covers_deficit_and_soaks_surplus()
    {
        SelfConsumption.Target(new Power(2), new Power(0.5)).Kw.Should().Be(1.5, "discharge to cover the deficit");
        SelfConsumption.Target(new Power(1), new Power(4)).Kw.Should().Be(-3, "charge from the surplus");
    }
}

public class SetpointPolicyTests
{
    private static readonly BatterySpec Spec = new(new Energy(10), new Power(3), new Power(5), 0.9);

    [Fact]
    public void Within_limits_is_allowed() =>
        SetpointPolicy.Refusal(Spec, new Power(-3), new Percent(50), new Percent(20)).Should().BeNull();

    [Theory]
    [InlineData(5.0)]
    [InlineData(-3.0)]
    [InlineData(0.0)]
    public void Exactly_at_the_inverter_limits_is_allowed(double kw) =>
        SetpointPolicy.Refusal(Spec, new Power(kw), new Percent(50), new Percent(20)).Should().BeNull();

    [Theory]
    [InlineData(5.01, "max discharge of 5 kW")]
    [InlineData(-3.01, "max charge of 3 kW")]
    [InlineData(double.NaN, "finite")]
    [InlineData(double.PositiveInfinity, "finite")]
    [InlineData(double.NegativeInfinity, "finite")]
    public void Beyond_limits_or_not_finite_is_refused_with_the_limit_it_breaks(double kw, string reason) =>
        SetpointPolicy.Refusal(Spec, new Power(kw), new Percent(50), new Percent(20)).Should().Contain(reason);

    [Fact]
    public void Discharge_is_allowed_just_above_the_reserve_and_when_the_soc_is_unknown()
    {
        SetpointPolicy.Refusal(Spec, new Power(1), new Percent(20.1), new Percent(20)).Should().BeNull();
        SetpointPolicy.Refusal(Spec, new Power(1), null, new Percent(20)).Should().BeNull();
        SetpointPolicy.MustStopDischarge(new Power(2), new Percent(20), new Percent(20)).Should().BeTrue("at the reserve, not only below it");
        SetpointPolicy.MustStopDischarge(new Power(2), new Percent(20.1), new Percent(20)).Should().BeFalse();
        SetpointPolicy.MustStopDischarge(new Power(0), new Percent(10), new Percent(20)).Should().BeFalse("an idle battery has nothing to stop");
    }

    [Fact]
    public void Discharging_at_the_reserve_is_refused_but_charging_is_not()
    {
        SetpointPolicy.Refusal(Spec, new Power(1), new Percent(20), new Percent(20)).Should().Contain("backup reserve");
        SetpointPolicy.Refusal(Spec, new Power(-1), new Percent(20), new Percent(20)).Should().BeNull();
        SetpointPolicy.MustStopDischarge(new Power(2), new Percent(19.9), new Percent(20)).Should().BeTrue();
        SetpointPolicy.MustStopDischarge(new Power(-2), new Percent(19.9), new Percent(20)).Should().BeFalse();
    }
}

public class PvAndLoadTests
{
    private static readonly GeoLocation Berlin = new(52.52, 13.40);

    [Fact]
    public void Pv_is_zero_at_night_and_peaks_near_solar_noon()
    {
        var night = Instant.FromUtc(2026, 6, 21, 0, 0);
        var noon = Instant.FromUtc(2026, 6, 21, 11, 7); // Berlin solar noon ≈ 11:07 UTC
        ClearSkyPv.Output(new Power(10), Berlin, night).Should().Be(Power.Zero);
        var peak = ClearSkyPv.Output(new Power(10), Berlin, noon);
        peak.Kw.Should().BeInRange(7, 8.5);
        ClearSkyPv.Output(new Power(10), Berlin, noon - Duration.FromHours(3)).Kw.Should().BeLessThan(peak.Kw);
    }

    [Fact]
    public void Solar_elevation_at_june_solstice_noon_is_90_minus_latitude_plus_tilt()
    {
        var elevation = ClearSkyPv.SolarElevationDeg(Berlin, Instant.FromUtc(2026, 6, 21, 11, 7));
        elevation.Should().BeApproximately(90 - 52.52 + 23.44, 0.5);
    }

    [Fact]
    public void Winter_pv_is_far_below_summer_pv()
    {
        var summer = ClearSkyPv.Output(new Power(10), Berlin, Instant.FromUtc(2026, 6, 21, 11, 7));
        var winter = ClearSkyPv.Output(new Power(10), Berlin, Instant.FromUtc(2026, 12, 21, 11, 7));
        winter.Kw.Should().BeLessThan(summer.Kw / 2);
    }

    [Fact]
    public void Household_load_has_the_given_mean_and_an_evening_peak_in_local_time()
    {
        var profile = HouseholdLoadProfile.FromAnnual(new Energy(4000));
        var samples = Enumerable.Range(0, 24 * 60).Select(m => profile.At(LocalTime.Midnight.PlusMinutes(m)).Kw).ToList();
        samples.Average().Should().BeApproximately(4000 / 8766.0, 0.005);

        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var eveningLocal = Instant.FromUtc(2026, 1, 15, 18, 0); // 19:00 in Berlin
        profile.At(eveningLocal, zone).Kw.Should().BeGreaterThan(profile.At(LocalTime.FromHourMinuteSecondTick(3, 0, 0, 0)).Kw * 3);
    }
}
