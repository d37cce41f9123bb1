namespace Vpp.Domain.Telemetry;

/// <summary>
/// A home's energy over a period, all in kWh and all ≥ 0. Consumption is what the home's own loads
/// used; energy the battery exports for the VPP is export, never consumption. SelfSupplied is the
/// part of consumption met by the home's own PV and battery (consumption minus import).
/// </summary>
public sealed record EnergyTotals(
    double ConsumptionKwh,
    double SelfSuppliedKwh,
    double ImportKwh,
    double ExportKwh,
    double PvKwh,
    double BatteryChargeKwh,
    double BatteryDischargeKwh)
{
    public static readonly EnergyTotals Zero = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Energy that went through the battery, in and out.</summary>
    public double BatteryThroughputKwh => BatteryChargeKwh + BatteryDischargeKwh;
}

public static class EnergyAccounting
{
    /// <summary>
    /// Sums per bucket (minute buckets give the finest split). Consumption per bucket comes from the
    /// balance at the home's connection, PV + discharge − charge + import − export, so it cannot
    /// count exported battery energy; a bucket without a grid reading falls back to the load flow.
    /// Self-supply is taken per bucket: energy imported in one minute cannot cover another's use.
    /// </summary>
    public static EnergyTotals Of(IEnumerable<SiteHistoryPoint> buckets)
    {
        double use = 0, self = 0, import = 0, export = 0, pv = 0, charge = 0, discharge = 0;
        foreach (var b in buckets)
        {
            var inKwh = b.Pv.PositiveKwh + b.Battery.PositiveKwh + b.Grid.PositiveKwh;
            var outKwh = b.Pv.NegativeKwh + b.Battery.NegativeKwh + b.Grid.NegativeKwh;
            var consumption = b.Grid.MeanKw is null ? b.Load.PositiveKwh : Math.Max(0, inKwh - outKwh);
            use += consumption;
            self += Math.Max(0, consumption - b.Grid.PositiveKwh);
            import += b.Grid.PositiveKwh;
            export += b.Grid.NegativeKwh;
            pv += b.Pv.PositiveKwh;
            charge += b.Battery.NegativeKwh;
            discharge += b.Battery.PositiveKwh;
        }
        return new EnergyTotals(use, self, import, export, pv, charge, discharge);
    }
}
