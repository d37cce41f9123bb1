using Google.OrTools.LinearSolver;

namespace Vpp.Scheduling;

/// <summary>
/// The fleet's charge/discharge schedule that maximises revenue minus degradation, as a linear
/// program solved with GLOP. c_t and d_t are what the market adds to the batteries' baseline b_t
/// (their own power, &gt; 0 discharging). Per interval t (h = interval length in hours):
/// <code>
///   −(maxCharge − R_t) ≤ b_t + d_t − c_t ≤ maxDischarge − R_t
///   e_t = e_(t−1) + ηc·c_t·h − d_t·h/ηd + β_t,   β_t = −b_t·h/ηd if b_t &gt; 0, else −b_t·h·ηc
///   floor + R_t·¼h/ηd ≤ e_t ≤ capacity − R_t·¼h·ηc         (reserve sustainable 15 min both ways)
///   d_t − c_t ≤ exportLimit_t,   c_t − d_t ≤ importLimit_t   (operating envelope, on the market position)
///   e_last ≥ final energy (default: where the baseline alone would end)
///   max Σ price_t·(d_t − c_t)·h/1000 − degradation·(c_t + d_t)·h
/// </code>
/// The floor is the sum of the homes' backup reserves: no schedule goes below it. The baseline is
/// first kept within the batteries' power and energy (a forecast that would charge a full fleet is
/// cut where it fills). Where the market works against the baseline (charging while the homes
/// discharge), both legs pay their losses: conservative, never optimistic.
/// </summary>
public static class ScheduleOptimiser
{
    public static Schedule Solve(ScheduleProblem p)
    {
        if (p.Problem() is { } problem) throw new ArgumentException("Invalid schedule problem: " + problem, nameof(p));
        using var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("The GLOP solver is not available.");
        var reserve = p.Intervals.Select(i => i.ReserveKw).ToArray();
        var baseline = FeasibleBaseline(p, p.Fleet, reserve, out var baselineEndKwh);
        var battery = AddBattery(solver, p, p.Fleet, reserve, baseline, p.FinalMinKwh ?? baselineEndKwh, "");
        AddEnvelopes(solver, p.Intervals, [battery]);
        SolveOrThrow(solver);
        return Read(p, battery);
    }

    /// <summary>
    /// The per-site formulation: one battery per site (each with its own floor, limits and
    /// efficiency; the final-energy condition applies to each), the frequency reserve split over
    /// sites by their power (the baseline too), and the operating envelope on the fleet's sum. Exact where the
    /// aggregate is an approximation, and much larger. <paramref name="solverId"/>: "GLOP" (simplex,
    /// exact) or "PDLP" (OR-Tools' first-order method for very large programs: optimal within its
    /// default relative tolerance).
    /// </summary>
    public static IReadOnlyList<Schedule> SolvePerSite(IReadOnlyList<FleetModel> sites, IReadOnlyList<ScheduleInterval> intervals, NodaTime.Duration length,
        double degradationEurPerKwh, string solverId = "GLOP")
    {
        var power = sites.Select(s => Math.Min(s.MaxChargeKw, s.MaxDischargeKw)).ToArray();
        var totalPower = power.Sum();
        var problems = sites.Select((site, k) => new ScheduleProblem(site,
            intervals.Select(i => i with
            {
                ReserveKw = totalPower > 0 ? i.ReserveKw * power[k] / totalPower : 0,
                BaselineKw = totalPower > 0 ? i.BaselineKw * power[k] / totalPower : 0,
                ExportLimitKw = null, ImportLimitKw = null,
            }).ToList(),
            length, degradationEurPerKwh)).ToList();
        foreach (var (p, k) in problems.Select((p, k) => (p, k)))
            if (p.Problem() is { } problem) throw new ArgumentException($"Invalid schedule problem for site {k}: {problem}", nameof(sites));
        using var solver = Solver.CreateSolver(solverId) ?? throw new InvalidOperationException($"The {solverId} solver is not available.");
        var batteries = problems.Select((p, k) =>
        {
            var reserve = p.Intervals.Select(i => i.ReserveKw).ToArray();
            return AddBattery(solver, p, p.Fleet, reserve, FeasibleBaseline(p, p.Fleet, reserve, out var end), end, $"s{k}");
        }).ToList();
        AddEnvelopes(solver, intervals, batteries);
        SolveOrThrow(solver);
        return problems.Select((p, k) => Read(p, batteries[k])).ToList();
    }

    private sealed record BatteryVars(Variable[] Charge, Variable[] Discharge, Variable[] Energy, double[] BaselineKw);

    /// <summary>
    /// The baseline as the batteries can run it from the initial energy: within their power (less
    /// the reserve) and between the floor and full, stopping where they would run empty or full.
    /// </summary>
    private static double[] FeasibleBaseline(ScheduleProblem p, FleetModel f, double[] reserveKw, out double endKwh)
    {
        var h = p.IntervalLength.TotalHours;
        var baseline = new double[p.Intervals.Count];
        var e = f.InitialKwh;
        for (var t = 0; t < baseline.Length; t++)
        {
            var b = Math.Clamp(p.Intervals[t].BaselineKw, -Math.Max(0, f.MaxChargeKw - reserveKw[t]), Math.Max(0, f.MaxDischargeKw - reserveKw[t]));
            if (b > 0) b = Math.Min(b, Math.Max(0, e - f.FloorKwh) * f.DischargeEfficiency / h);
            else if (b < 0) b = -Math.Min(-b, Math.Max(0, f.CapacityKwh - e) / f.ChargeEfficiency / h);
            e += Drift(b, f, h);
            baseline[t] = b;
        }
        endKwh = e;
        return baseline;
    }

    /// <summary>Energy the baseline moves in one interval (cells; losses included).</summary>
    private static double Drift(double baselineKw, FleetModel f, double h) =>
        baselineKw > 0 ? -baselineKw * h / f.DischargeEfficiency : -baselineKw * h * f.ChargeEfficiency;

    private static BatteryVars AddBattery(Solver solver, ScheduleProblem p, FleetModel f, double[] reserveKw, double[] baselineKw, double finalMinKwh, string name)
    {
        var h = p.IntervalLength.TotalHours;
        var sustainH = ScheduleProblem.ReserveSustain.TotalHours;
        var n = p.Intervals.Count;
        var (c, d, e) = (new Variable[n], new Variable[n], new Variable[n]);
        var objective = solver.Objective();
        for (var t = 0; t < n; t++)
        {
            var (r, b) = (reserveKw[t], baselineKw[t]);
            // The market may also undo the baseline: charge up to the limit plus what the homes discharge, and the reverse.
            c[t] = solver.MakeNumVar(0, f.MaxChargeKw - r + Math.Max(0, b), $"{name}c{t}");
            d[t] = solver.MakeNumVar(0, f.MaxDischargeKw - r + Math.Max(0, -b), $"{name}d{t}");
            if (b != 0)
            {
                // −(maxCharge − R) − b ≤ d − c ≤ maxDischarge − R − b
                var net = solver.MakeConstraint(-(f.MaxChargeKw - r) - b, f.MaxDischargeKw - r - b, $"{name}net{t}");
                net.SetCoefficient(d[t], 1);
                net.SetCoefficient(c[t], -1);
            }
            var low = f.FloorKwh + r * sustainH / f.DischargeEfficiency;
            var high = f.CapacityKwh - r * sustainH * f.ChargeEfficiency;
            if (low > high + 1e-9)
                throw new InvalidOperationException($"Interval {t}: {r} kW of reserve needs more energy headroom than the battery has.");
            e[t] = solver.MakeNumVar(low, Math.Max(low, high), $"{name}e{t}");

            // e_t − e_(t−1) − ηc·h·c_t + h/ηd·d_t = β_t (+ the initial energy at t = 0)
            var fixedKwh = (t == 0 ? f.InitialKwh : 0) + Drift(b, f, h);
            var balance = solver.MakeConstraint(fixedKwh, fixedKwh, $"{name}balance{t}");
            balance.SetCoefficient(e[t], 1);
            if (t > 0) balance.SetCoefficient(e[t - 1], -1);
            balance.SetCoefficient(c[t], -f.ChargeEfficiency * h);
            balance.SetCoefficient(d[t], h / f.DischargeEfficiency);

            var eurPerKw = p.Intervals[t].PriceEurPerMwh / 1000 * h;
            objective.SetCoefficient(d[t], eurPerKw - p.DegradationEurPerKwh * h);
            objective.SetCoefficient(c[t], -eurPerKw - p.DegradationEurPerKwh * h);
        }
        // The day ends with at least the required energy (or as much of it as the last interval allows).
        var last = e[n - 1];
        last.SetLb(Math.Min(Math.Max(last.Lb(), finalMinKwh), last.Ub()));
        objective.SetMaximization();
        return new BatteryVars(c, d, e, baselineKw);
    }

    /// <summary>The envelope applies to the sum of all batteries' net power.</summary>
    private static void AddEnvelopes(Solver solver, IReadOnlyList<ScheduleInterval> intervals, IReadOnlyList<BatteryVars> batteries)
    {
        for (var t = 0; t < intervals.Count; t++)
        {
            if (intervals[t].ExportLimitKw is { } export) Net(solver.MakeConstraint(double.NegativeInfinity, export, $"export{t}"), t, 1);
            if (intervals[t].ImportLimitKw is { } import) Net(solver.MakeConstraint(double.NegativeInfinity, import, $"import{t}"), t, -1);
        }

        void Net(Constraint constraint, int t, double sign)
        {
            foreach (var b in batteries)
            {
                constraint.SetCoefficient(b.Discharge[t], sign);
                constraint.SetCoefficient(b.Charge[t], -sign);
            }
        }
    }

    private static void SolveOrThrow(Solver solver)
    {
        var status = solver.Solve();
        if (status != Solver.ResultStatus.OPTIMAL)
            throw new InvalidOperationException($"The schedule has no optimal solution ({status}): the reserve and envelopes leave no feasible schedule from the initial energy.");
    }

    private static Schedule Read(ScheduleProblem p, BatteryVars b)
    {
        var h = p.IntervalLength.TotalHours;
        var intervals = new List<ScheduledInterval>(p.Intervals.Count);
        double revenue = 0, degradation = 0;
        for (var t = 0; t < p.Intervals.Count; t++)
        {
            var (ct, dt) = (b.Charge[t].SolutionValue(), b.Discharge[t].SolutionValue());
            intervals.Add(new ScheduledInterval(ct, dt, b.Energy[t].SolutionValue(), b.BaselineKw[t]));
            revenue += p.Intervals[t].PriceEurPerMwh / 1000 * (dt - ct) * h;
            degradation += p.DegradationEurPerKwh * (ct + dt) * h;
        }
        return new Schedule(intervals, revenue, degradation);
    }
}
