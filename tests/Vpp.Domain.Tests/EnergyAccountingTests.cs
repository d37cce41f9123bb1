using NodaTime;
using Vpp.Domain.Telemetry;

namespace Vpp.Domain.Tests;

public class EnergyAccountingTests
{
    private static readonly Instant Minute0 = Instant.FromUtc(2026, 11, 23, 12, 0);
    private static readonly Duration Second = Duration.FromSeconds(1);

    /// <summary>One minute of a home at constant flows, from rollups as the devices would report them.</summary>
    private static IReadOnlyList<SiteHistoryPoint> Minute(double pvKw, double batteryKw, double gridKw, int minutes = 1)
    {
        var rows = new List<DeviceMinuteRollup>();
        for (var m = 0; m < minutes; m++)
        {
            var start = Minute0 + Duration.FromMinutes(m);
            var pv = DeviceMinuteRollup.Start("s", "pv", SiteFlow.Pv, start, Second, null);
            var bat = DeviceMinuteRollup.Start("s", "bat", SiteFlow.Battery, start, Second, 10);
            var meter = DeviceMinuteRollup.Start("s", "meter", SiteFlow.Grid, start, Second, null);
            for (var i = 0; i < 60; i++)
            {
                pv = pv.Add(start + Second * i, pvKw, null, null);
                bat = bat.Add(start + Second * i, batteryKw, null, 50);
                meter = meter.Add(start + Second * i, gridKw, null, null);
            }
            rows.AddRange([pv, bat, meter]);
        }
        return SiteHistory.Build(rows, HistoryResolution.Minute);
    }

    [Fact]
    public void Battery_energy_exported_for_the_VPP_is_export_not_home_consumption()
    {
        // The VPP discharges 5 kW; the home uses 1 kW; 4 kW leave through the meter.
        var e = EnergyAccounting.Of(Minute(pvKw: 0, batteryKw: 5, gridKw: -4, minutes: 60));

        e.ExportKwh.Should().BeApproximately(4, 1e-9);
        e.ConsumptionKwh.Should().BeApproximately(1, 1e-9, "only the home's own 1 kW is consumption");
        e.BatteryDischargeKwh.Should().BeApproximately(5, 1e-9);
        e.SelfSuppliedKwh.Should().BeApproximately(1, 1e-9);
        e.ImportKwh.Should().Be(0);
    }

    [Fact]
    public void Solar_charging_the_battery_and_covering_the_home_is_self_supplied()
    {
        // PV 6 kW: 2 kW into the battery, 3 kW to the home, 1 kW exported.
        var e = EnergyAccounting.Of(Minute(pvKw: 6, batteryKw: -2, gridKw: -1, minutes: 30));

        e.PvKwh.Should().BeApproximately(3, 1e-9);
        e.BatteryChargeKwh.Should().BeApproximately(1, 1e-9);
        e.ExportKwh.Should().BeApproximately(0.5, 1e-9);
        e.ConsumptionKwh.Should().BeApproximately(1.5, 1e-9);
        e.SelfSuppliedKwh.Should().BeApproximately(1.5, 1e-9);
        e.BatteryThroughputKwh.Should().BeApproximately(1, 1e-9);
    }

    [Fact]
    public void Imported_energy_is_not_self_supplied()
    {
        // Night: the home uses 2 kW, 0.5 kW from the battery, 1.5 kW imported.
        var e = EnergyAccounting.Of(Minute(pvKw: 0, batteryKw: 0.5, gridKw: 1.5, minutes: 60));

        e.ConsumptionKwh.Should().BeApproximately(2, 1e-9);
        e.ImportKwh.Should().BeApproximately(1.5, 1e-9);
        e.SelfSuppliedKwh.Should().BeApproximately(0.5, 1e-9);
    }

    [Fact]
    public void A_minute_that_imports_then_exports_counts_both_and_only_its_own_use()
    {
        // 30 s at night: the home uses 2 kW, all imported. 30 s of sun: PV 3 kW, the home uses 1 kW, 2 kW exported.
        var pv = DeviceMinuteRollup.Start("s", "pv", SiteFlow.Pv, Minute0, Second, null);
        var meter = DeviceMinuteRollup.Start("s", "meter", SiteFlow.Grid, Minute0, Second, null);
        for (var i = 0; i < 60; i++)
        {
            var sunny = i >= 30;
            pv = pv.Add(Minute0 + Second * i, sunny ? 3 : 0, null, null);
            meter = meter.Add(Minute0 + Second * i, sunny ? -2 : 2, null, null);
        }
        var e = EnergyAccounting.Of(SiteHistory.Build([pv, meter], HistoryResolution.Minute));

        // By hand, kWh = kW · 30 s / 3600 s: import 2·30 = 60 kWs, export 2·30 = 60 kWs, PV 3·30 = 90 kWs,
        // use 2·30 + 1·30 = 90 kWs, of which the 30 kWs in the sun were the home's own PV.
        e.ImportKwh.Should().BeApproximately(60 / 3600.0, 1e-12, "a minute's net (zero) would hide both flows");
        e.ExportKwh.Should().BeApproximately(60 / 3600.0, 1e-12);
        e.PvKwh.Should().BeApproximately(90 / 3600.0, 1e-12);
        e.ConsumptionKwh.Should().BeApproximately(90 / 3600.0, 1e-12);
        e.SelfSuppliedKwh.Should().BeApproximately(30 / 3600.0, 1e-12);
    }

    [Fact]
    public void A_minute_without_a_meter_reading_takes_the_home_use_from_its_other_flows()
    {
        // No meter this minute: PV 3 kW, 1 kW of it into the battery, so the home used 2 kW (nothing known imported).
        var pv = DeviceMinuteRollup.Start("s", "pv", SiteFlow.Pv, Minute0, Second, null);
        var bat = DeviceMinuteRollup.Start("s", "bat", SiteFlow.Battery, Minute0, Second, 10);
        for (var i = 0; i < 60; i++)
        {
            pv = pv.Add(Minute0 + Second * i, 3, null, null);
            bat = bat.Add(Minute0 + Second * i, -1, null, 50);
        }
        var e = EnergyAccounting.Of(SiteHistory.Build([pv, bat], HistoryResolution.Minute));

        e.ConsumptionKwh.Should().BeApproximately(2 / 60.0, 1e-12);
        e.SelfSuppliedKwh.Should().BeApproximately(2 / 60.0, 1e-12);
        e.BatteryChargeKwh.Should().BeApproximately(1 / 60.0, 1e-12);
        e.ImportKwh.Should().Be(0);
        e.ExportKwh.Should().Be(0);
    }

    [Fact]
    public void No_readings_is_zero_everywhere()
    {
        EnergyAccounting.Of([]).Should().Be(EnergyTotals.Zero);
    }
}
