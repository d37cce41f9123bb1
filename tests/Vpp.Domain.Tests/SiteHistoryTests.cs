using NodaTime;
using Vpp.Domain.Telemetry;

namespace Vpp.Domain.Tests;

/// <summary>How a site's history bucket is made from its devices' minutes, each case worked out by hand.</summary>
public class SiteHistoryTests
{
    private static readonly Instant Minute0 = Instant.FromUtc(2026, 11, 23, 12, 0);
    private static readonly Duration Second = Duration.FromSeconds(1);

    /// <summary>A device's minute at 1 s readings: each second's power (and load) from the functions.</summary>
    private static DeviceMinuteRollup Minute(string device, SiteFlow flow, Func<int, double> kw, Func<int, double?>? load = null,
        double? capacityKwh = null, double? socPct = null, int minute = 0)
    {
        var start = Minute0 + Duration.FromMinutes(minute);
        var r = DeviceMinuteRollup.Start("s", device, flow, start, Second, capacityKwh);
        for (var i = 0; i < 60; i++) r = r.Add(start + Second * i, kw(i), load?.Invoke(i), socPct);
        return r;
    }

    private static SiteHistoryPoint One(params DeviceMinuteRollup[] rows) =>
        SiteHistory.Build(rows, HistoryResolution.Minute).Should().ContainSingle().Subject;

    [Fact]
    public void Without_a_meter_the_home_use_is_pv_plus_battery()
    {
        // PV 3 kW and the battery discharging 1 kW, no meter: the home used 4 kW for the minute.
        var p = One(Minute("pv", SiteFlow.Pv, _ => 3), Minute("bat", SiteFlow.Battery, _ => 1, capacityKwh: 10, socPct: 50));
        p.Load.MeanKw.Should().Be(4);
        p.Load.PositiveKwh.Should().BeApproximately(4 / 60.0, 1e-12);
        p.Load.NegativeKwh.Should().Be(0);
        p.Grid.Should().Be(FlowPoint.None, "no meter: the grid flow is unknown, not zero");
    }

    [Theory]
    [InlineData(SiteFlow.Pv, 3.0)]
    [InlineData(SiteFlow.Battery, 1.5)]
    [InlineData(SiteFlow.Grid, 2.0)]
    public void A_site_with_one_flow_known_takes_its_use_from_that_flow(SiteFlow flow, double kw)
    {
        var p = One(Minute("d", flow, _ => kw));
        p.Load.MeanKw.Should().Be(kw);
        p.Load.PositiveKwh.Should().BeApproximately(kw / 60.0, 1e-12);
    }

    [Fact]
    public void With_a_meter_the_import_adds_to_the_home_use()
    {
        // PV 1 kW, importing 2 kW: the home used 3 kW.
        var p = One(Minute("pv", SiteFlow.Pv, _ => 1), Minute("m", SiteFlow.Grid, _ => 2));
        p.Load.MeanKw.Should().Be(3);
        p.Load.PositiveKwh.Should().BeApproximately(3 / 60.0, 1e-12);
    }

    [Fact]
    public void Flows_that_do_not_add_up_to_a_use_show_the_excess_as_negative_load_not_as_use()
    {
        // Charging 2 kW with no PV and nothing imported cannot be: the 2 kW appear as negative load.
        var p = One(Minute("bat", SiteFlow.Battery, _ => -2, capacityKwh: 10, socPct: 50), Minute("m", SiteFlow.Grid, _ => 0));
        p.Load.PositiveKwh.Should().Be(0);
        p.Load.NegativeKwh.Should().BeApproximately(2 / 60.0, 1e-12);
    }

    [Fact]
    public void A_meter_that_measures_the_load_itself_is_taken_over_the_balance()
    {
        // The meter sees 1 kW from the grid and 5 kW of load (devices VPP does not know supply the rest).
        var p = One(Minute("m", SiteFlow.Grid, _ => 1, load: _ => 5));
        p.Load.MeanKw.Should().Be(5);
        p.Load.PositiveKwh.Should().BeApproximately(5 / 60.0, 1e-12);
    }

    [Fact]
    public void A_load_measured_in_only_some_minutes_of_an_hour_is_still_the_measured_load()
    {
        var rows = new[]
        {
            Minute("m", SiteFlow.Grid, _ => 1, load: _ => 5, minute: 0),
            Minute("m", SiteFlow.Grid, _ => 1, minute: 1),
        };
        var hour = SiteHistory.Build(rows, HistoryResolution.Hour).Should().ContainSingle().Subject;
        hour.Load.PositiveKwh.Should().BeApproximately(5 / 60.0, 1e-12, "the one minute with a load reading, not the 2 × 1 kW balance");
        hour.Grid.PositiveKwh.Should().BeApproximately(2 / 60.0, 1e-12);
    }

    [Fact]
    public void Two_devices_of_one_flow_add_their_means_and_bound_min_and_max_by_their_sums()
    {
        // Two inverters: one 1→3 kW over the minute, the other 2→4 kW.
        var p = One(Minute("pv1", SiteFlow.Pv, i => i < 30 ? 1 : 3), Minute("pv2", SiteFlow.Pv, i => i < 30 ? 2 : 4));
        p.Pv.MeanKw.Should().Be(5);
        p.Pv.MinKw.Should().Be(3);
        p.Pv.MaxKw.Should().Be(7);
        p.Pv.PositiveKwh.Should().BeApproximately(5 / 60.0, 1e-12);
    }

    [Fact]
    public void State_of_charge_is_weighted_by_capacity_and_absent_without_a_battery_that_has_one()
    {
        // 10 kWh at 40 % and 30 kWh at 80 %: 4 + 24 = 28 of 40 kWh, 70 %.
        One(Minute("a", SiteFlow.Battery, _ => 0, capacityKwh: 10, socPct: 40), Minute("b", SiteFlow.Battery, _ => 0, capacityKwh: 30, socPct: 80))
            .SocPctEnd.Should().BeApproximately(70, 1e-9);
        One(Minute("pv", SiteFlow.Pv, _ => 2)).SocPctEnd.Should().BeNull("no battery");
        One(Minute("a", SiteFlow.Battery, _ => 0, capacityKwh: null, socPct: 40)).SocPctEnd.Should().BeNull("a SoC without a capacity weighs nothing");
    }
}
