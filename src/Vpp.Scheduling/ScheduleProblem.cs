using NodaTime;

namespace Vpp.Scheduling;

/// <summary>
/// The fleet as one battery for scheduling (sums over the sites that take part): energy between
/// the summed backup reserves (floor) and full, power limits, and round-trip efficiency (split
/// evenly: √RTE charging, √RTE discharging). Energy in kWh, power in kW.
/// </summary>
public sealed record FleetModel(double CapacityKwh, double InitialKwh, double FloorKwh, double MaxChargeKw, double MaxDischargeKw, double RoundTripEfficiency)
{
    public double ChargeEfficiency => Math.Sqrt(RoundTripEfficiency);
    public double DischargeEfficiency => Math.Sqrt(RoundTripEfficiency);

    /// <summary>Homes pooled into one battery: energies and powers add; efficiency is the mean (an approximation).</summary>
    public static FleetModel Sum(IReadOnlyCollection<FleetModel> homes) =>
        new(homes.Sum(h => h.CapacityKwh), homes.Sum(h => h.InitialKwh), homes.Sum(h => h.FloorKwh), homes.Sum(h => h.MaxChargeKw),
            homes.Sum(h => h.MaxDischargeKw), homes.Average(h => h.RoundTripEfficiency));
}

/// <summary>
/// One interval to schedule: the price (EUR/MWh, may be negative), the batteries' own power without
/// the VPP (<c>BaselineKw</c>, &gt; 0 discharging: covering the homes' load; &lt; 0 charging: from
/// their PV; the forecast, 0 when unknown), frequency-reserve capacity held
/// back (kW both ways, sustained 15 minutes), and the fleet's operating envelope at the grid
/// (null = none). Signs: export = discharge − charge.
/// </summary>
public sealed record ScheduleInterval(double PriceEurPerMwh, double ReserveKw = 0, double? ExportLimitKw = null, double? ImportLimitKw = null,
    double BaselineKw = 0);

/// <summary>
/// <paramref name="FinalMinKwh"/>: the energy the fleet must hold at the end (null: what it started
/// with). Without it the optimiser would sell the homes' stored energy on the last interval as if it
/// were free; with it, a day's trading pays for its own energy.
/// </summary>
public sealed record ScheduleProblem(FleetModel Fleet, IReadOnlyList<ScheduleInterval> Intervals, Duration IntervalLength, double DegradationEurPerKwh,
    double? FinalMinKwh = null)
{
    /// <summary>Energy a reserve commitment keeps in hand each way: 15 minutes at full commitment.</summary>
    public static readonly Duration ReserveSustain = Duration.FromMinutes(15);

    /// <summary>What is wrong with the problem, or null.</summary>
    public string? Problem()
    {
        var f = Fleet;
        double[] all = [f.CapacityKwh, f.InitialKwh, f.FloorKwh, f.MaxChargeKw, f.MaxDischargeKw, f.RoundTripEfficiency, DegradationEurPerKwh];
        if (all.Any(v => !double.IsFinite(v) || v < 0)) return "fleet figures and the degradation cost must be finite and ≥ 0";
        if (f.RoundTripEfficiency is <= 0 or > 1) return "round-trip efficiency must be in (0, 1]";
        if (f.FloorKwh > f.CapacityKwh) return "the reserve floor is above capacity";
        if (f.InitialKwh < f.FloorKwh - 1e-9 || f.InitialKwh > f.CapacityKwh + 1e-9) return "the initial energy is outside [floor, capacity]";
        if (IntervalLength <= Duration.Zero) return "the interval length must be positive";
        if (FinalMinKwh is { } final && (!double.IsFinite(final) || final < 0 || final > f.CapacityKwh)) return "the final energy must be within [0, capacity]";
        if (Intervals.Count == 0) return "no intervals";
        foreach (var (i, n) in Intervals.Select((x, n) => (x, n)))
        {
            if (!double.IsFinite(i.PriceEurPerMwh)) return $"interval {n}: the price is not a number";
            if (!double.IsFinite(i.ReserveKw) || i.ReserveKw < 0 || i.ReserveKw > Math.Min(f.MaxChargeKw, f.MaxDischargeKw))
                return $"interval {n}: reserve must be between 0 and the fleet's charge and discharge limits";
            if (i.ExportLimitKw is { } e && (!double.IsFinite(e) || e < 0)) return $"interval {n}: export limit must be ≥ 0";
            if (i.ImportLimitKw is { } m && (!double.IsFinite(m) || m < 0)) return $"interval {n}: import limit must be ≥ 0";
            if (!double.IsFinite(i.BaselineKw)) return $"interval {n}: the baseline is not a number";
        }
        return null;
    }
}

/// <summary>
/// What the market schedule does in one interval on top of the batteries' baseline (charge and
/// discharge beyond it), the baseline the schedule assumed (kW, &gt; 0 discharging; the forecast,
/// kept within the batteries' limits), and the energy at the interval's end with both.
/// </summary>
public sealed record ScheduledInterval(double ChargeKw, double DischargeKw, double EnergyEndKwh, double BaselineKw = 0)
{
    /// <summary>The market position: power out of the fleet beyond its baseline (export, &gt; 0) or into it (&lt; 0).</summary>
    public double NetKw => DischargeKw - ChargeKw;
}

/// <summary>The optimal schedule: market revenue (sales minus purchases) and the degradation it costs, in EUR.</summary>
public sealed record Schedule(IReadOnlyList<ScheduledInterval> Intervals, double RevenueEur, double DegradationEur)
{
    public double ProfitEur => RevenueEur - DegradationEur;
}
