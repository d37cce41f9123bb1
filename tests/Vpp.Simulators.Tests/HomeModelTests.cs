using NodaTime;
using Vpp.Domain.Batteries;
using Vpp.Domain.Solar;
using Vpp.Domain.Units;
using Vpp.Protocol;
using Vpp.Simulators.Fleet;

namespace Vpp.Simulators.Tests;

public class HomeModelTests
{
    // 10 kWh, 3 kW charge / 4 kW discharge, 81 % round trip; 20 % reserve; starts at 50 %.
    private static HomeSpec Spec(double socPct = 50) => new("h", "Europe/Berlin", new GeoLocation(52.5, 13.4), 20,
        new BatterySpec(new Energy(10), new Power(3), new Power(4), 0.81), new Power(6), new Power(0.5), socPct);

    private static readonly Instant Noon = Instant.FromUtc(2026, 6, 21, 11, 0);

    [Fact]
    public void Every_step_balances_load_pv_battery_and_grid()
    {
        var home = new HomeModel(Spec(), new Random(1));
        var t = Noon;
        for (var i = 0; i < 120; i++)
        {
            t += Duration.FromMinutes(1);
            home.Step(t, Duration.FromMinutes(1));
            (home.PvPower + home.BatteryPower + home.Grid).Kw.Should().BeApproximately(home.Load.Kw, 1e-9);
            home.PvPower.Kw.Should().BeInRange(0, 6);
        }
    }

    [Fact]
    public void Without_a_setpoint_the_battery_runs_self_consumption()
    {
        var home = new HomeModel(Spec(), new Random(2));
        var night = Instant.FromUtc(2026, 1, 15, 22, 0);
        home.Step(night, Duration.FromSeconds(1));

        home.PvPower.Should().Be(Power.Zero);
        home.BatteryPower.Kw.Should().BeApproximately(home.Load.Kw, 1e-9, "it covers the home's load");
        home.Grid.Kw.Should().BeApproximately(0, 1e-9);
    }

    [Fact]
    public void A_setpoint_is_followed_within_limits_then_stops_at_min_soc_and_completes_at_valid_until()
    {
        var home = new HomeModel(Spec(socPct: 21), new Random(3));
        var night = Instant.FromUtc(2026, 1, 15, 22, 0);
        home.Refuse(new SetpointMessage("too-big", 4.5, night, "t", 20)).Should().NotBeNull();
        home.Apply(new SetpointMessage("c1", 4, night + Duration.FromMinutes(90), "dispatch", 20));

        home.Step(night + Duration.FromSeconds(1), Duration.FromSeconds(1)).Should().BeNull();
        home.BatteryPower.Kw.Should().Be(4, "the setpoint wins over self-consumption");

        var t = night + Duration.FromSeconds(1);
        for (var i = 0; i < 60; i++)
        {
            t += Duration.FromMinutes(1);
            home.Step(t, Duration.FromMinutes(1)).Should().BeNull("the setpoint is still valid");
        }
        home.Soc.Value.Should().BeApproximately(20, 1e-9, "discharge stops at minSocPct");
        home.BatteryPower.Should().Be(Power.Zero);
        home.Step(night + Duration.FromMinutes(91), Duration.FromMinutes(1)).Should().Be("c1", "the setpoint expired and is reported completed");
        home.Setpoint.Should().BeNull();
    }

    [Fact]
    public void Charging_stores_energy_with_the_charge_efficiency()
    {
        var home = new HomeModel(Spec(socPct: 50), new Random(4));
        var night = Instant.FromUtc(2026, 1, 15, 22, 0);
        home.Apply(new SetpointMessage("c", -3, night + Duration.FromHours(2), "charge", 20));
        home.Step(night + Duration.FromHours(1), Duration.FromHours(1));

        home.BatteryPower.Kw.Should().Be(-3);
        // 3 kWh drawn × 0.9 = 2.7 kWh stored = 27 % of 10 kWh.
        home.Soc.Value.Should().BeApproximately(77, 1e-9);
    }

    [Fact]
    public void Local_droop_adds_the_response_to_the_frequency_it_measures_within_the_limits()
    {
        var home = new HomeModel(Spec(), new Random(3));
        var night = Instant.FromUtc(2026, 1, 15, 22, 0);
        home.Apply(new SetpointMessage("sp", 1, night + Duration.FromHours(1), "test", 20));
        home.Apply(new FrequencyResponseMessage("fr", 2, 50, 0.010, 0.200, night + Duration.FromHours(1), 20));

        home.FrequencyHz = 50.005;   // inside the deadband
        home.Step(night, Duration.FromSeconds(1));
        home.BatteryPower.Kw.Should().BeApproximately(1, 1e-9);

        home.FrequencyHz = 49.895;   // halfway to full activation: +1 kW
        home.Step(night + Duration.FromSeconds(1), Duration.FromSeconds(1));
        home.BatteryPower.Kw.Should().BeApproximately(2, 1e-9);

        home.FrequencyHz = 50.5;     // far over: −2 kW on top of +1
        home.Step(night + Duration.FromSeconds(2), Duration.FromSeconds(1));
        home.BatteryPower.Kw.Should().BeApproximately(-1, 1e-9);

        home.Apply(new FrequencyResponseMessage("fr2", 0, 50, 0.010, 0.200, night + Duration.FromHours(1), 20));
        home.Step(night + Duration.FromSeconds(3), Duration.FromSeconds(1));
        home.BatteryPower.Kw.Should().BeApproximately(1, 1e-9, "0 kW ends the response");
    }
}
