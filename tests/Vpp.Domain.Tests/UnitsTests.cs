using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Grid;
using Vpp.Domain.Sites;
using Vpp.Domain.Solar;
using Vpp.Domain.Units;

namespace Vpp.Domain.Tests;

/// <summary>The unit types and small physical values every decision is built from, checked by hand.</summary>
public class UnitsTests
{
    [Fact]
    public void Energy_over_a_duration_is_mean_power_and_lasts_capacity_over_power()
    {
        (new Energy(3) / Duration.FromMinutes(30)).Kw.Should().Be(6, "3 kWh in half an hour is 6 kW");
        new Energy(3).At(new Power(-6)).Should().Be(Duration.FromMinutes(30), "the power's sign does not shorten the time");
        new Energy(3).At(Power.Zero).Should().Be(Duration.MaxValue, "nothing drawn lasts for ever");
        (new Power(4) * Duration.FromMinutes(15)).Kwh.Should().Be(1);
        (new Energy(3) * 2).Kwh.Should().Be(6);
        (new Energy(3) / 2).Kwh.Should().Be(1.5);
        (new Energy(3) - new Energy(5)).AtLeastZero().Should().Be(Energy.Zero);
        new Energy(0.5).AtLeastZero().Kwh.Should().Be(0.5);
    }

    [Fact]
    public void Energy_and_power_compare_by_value()
    {
        (new Energy(1) < new Energy(2)).Should().BeTrue();
        (new Energy(2) < new Energy(2)).Should().BeFalse();
        (new Energy(2) > new Energy(1)).Should().BeTrue();
        (new Energy(2) > new Energy(2)).Should().BeFalse();
        (new Energy(2) <= new Energy(2)).Should().BeTrue();
        (new Energy(3) <= new Energy(2)).Should().BeFalse();
        (new Energy(2) >= new Energy(2)).Should().BeTrue();
        (new Energy(1) >= new Energy(2)).Should().BeFalse();
        (new Power(2) <= new Power(2)).Should().BeTrue();
        (new Power(3) <= new Power(2)).Should().BeFalse();
        (new Power(2) >= new Power(2)).Should().BeTrue();
        (new Power(1) >= new Power(2)).Should().BeFalse();
        new Power(-2).Abs().Kw.Should().Be(2);
        new Power(9).Clamp(new Power(-3), new Power(5)).Kw.Should().Be(5);
        new Power(-9).Clamp(new Power(-3), new Power(5)).Kw.Should().Be(-3);
    }

    [Fact]
    public void Values_print_with_their_unit()
    {
        new Energy(1.23456).ToString().Should().Be("1.235 kWh");
        new Power(-2.5).ToString().Should().Be("-2.5 kW");
        new Percent(42.126).ToString().Should().Be("42.13 %");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void A_percentage_may_be_0_or_100(double value) => new Percent(value).Value.Should().Be(value);

    [Theory]
    [InlineData(-0.01)]
    [InlineData(100.01)]
    [InlineData(double.NaN)]
    public void A_percentage_outside_0_100_is_refused(double value)
    {
        var act = () => new Percent(value);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("A percentage must be between 0 and 100.*");
    }

    [Theory]
    [InlineData(90, 180)]
    [InlineData(-90, -180)]
    [InlineData(0, 0)]
    public void The_poles_and_the_date_line_are_valid_locations(double lat, double lon)
    {
        var at = new GeoLocation(lat, lon);
        (at.LatitudeDeg, at.LongitudeDeg).Should().Be((lat, lon));
    }

    [Theory]
    [InlineData(90.01, 0, "latitudeDeg")]
    [InlineData(-90.01, 0, "latitudeDeg")]
    [InlineData(double.NaN, 0, "latitudeDeg")]
    [InlineData(0, 180.01, "longitudeDeg")]
    [InlineData(0, -180.01, "longitudeDeg")]
    [InlineData(0, double.NaN, "longitudeDeg")]
    public void Locations_off_the_globe_are_refused(double lat, double lon, string parameter)
    {
        var act = () => new GeoLocation(lat, lon);
        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(parameter);
    }

    [Fact]
    public void The_grid_covers_what_pv_and_battery_do_not_and_splits_into_import_or_export()
    {
        // A 3 kW load, 1 kW of PV, the battery discharging 0.5 kW: 1.5 kW imported.
        SitePowerBalance.GridFor(new Power(3), new Power(1), new Power(0.5)).Kw.Should().Be(1.5);
        var importing = new SitePowerBalance(new Power(1), new Power(0.5), new Power(1.5));
        importing.Load.Kw.Should().Be(3);
        importing.Import.Kw.Should().Be(1.5);
        importing.Export.Should().Be(Power.Zero);
        var exporting = new SitePowerBalance(new Power(4), new Power(0), new Power(-2.5));
        exporting.Import.Should().Be(Power.Zero);
        exporting.Export.Kw.Should().Be(2.5);
        var balanced = new SitePowerBalance(new Power(1), new Power(0), Power.Zero);
        balanced.Import.Should().Be(Power.Zero);
        balanced.Export.Should().Be(Power.Zero);
    }

    [Fact]
    public void Soc_restoration_uses_the_power_the_commitment_leaves_free_and_nothing_when_none_is_left()
    {
        // 10 kWh, 4 kW charge / 5 kW discharge: the smaller limit bounds what a symmetric commitment leaves.
        var spec = new BatterySpec(new Energy(10), new Power(4), new Power(5), 0.81);
        SocRestoration.Setpoint(spec, new Percent(21), new Percent(20), new Power(1))!.Value.Kw.Should().Be(-3, "min(4, 5) − 1 kW");
        SocRestoration.Setpoint(spec, new Percent(99.9), new Percent(20), new Power(1))!.Value.Kw.Should().Be(3);
        SocRestoration.Setpoint(spec, new Percent(21), new Percent(20), new Power(4)).Should().BeNull("the commitment takes all of the charge limit");
        SocRestoration.Setpoint(spec, new Percent(21), new Percent(20), new Power(-1)).Should().BeNull("a negative commitment is none");
    }
}
