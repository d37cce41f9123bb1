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
public static partial class ScheduleOptimiser
{
    public static Schedule Solve(ScheduleProblem p)
    {
        using var program = new BatteryProgram(p.Intervals.Count);
        return program.Solve(p).Schedule;
    }

    /// <summary>
    /// A schedule and, per interval, what one more kW of export / import envelope would earn (the
    /// envelope constraints' shadow prices, EUR per kW; 0 where the envelope does not bind or is absent).
    /// </summary>
    private sealed record Solved(Schedule Schedule, double[] ExportValue, double[] ImportValue);

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
        var problems = SiteProblems(sites, intervals, length, degradationEurPerKwh, splitEnvelope: false);
        using var solver = Solver.CreateSolver(solverId) ?? throw new InvalidOperationException($"The {solverId} solver is not available.");
        var batteries = problems.Select(p =>
        {
            var battery = AddBattery(solver, intervals.Count);
            SetBattery(solver, battery, p);
            return battery;
        }).ToList();
        SetEnvelopes(AddEnvelopes(solver, intervals.Count, batteries), intervals);
        SolveOrThrow(solver);
        return problems.Select((p, k) => Read(p, batteries[k])).ToList();
    }

    /// <summary>
    /// One problem per site: the frequency reserve and the baseline split over sites by their power;
    /// the envelope split the same way, or left off (when the caller puts it on the sum).
    /// </summary>
    private static List<ScheduleProblem> SiteProblems(IReadOnlyList<FleetModel> sites, IReadOnlyList<ScheduleInterval> intervals, NodaTime.Duration length,
        double degradationEurPerKwh, bool splitEnvelope)
    {
        var power = sites.Select(s => Math.Min(s.MaxChargeKw, s.MaxDischargeKw)).ToArray();
        var totalPower = power.Sum();
        var problems = sites.Select((site, k) =>
        {
            var share = totalPower > 0 ? power[k] / totalPower : 1.0 / sites.Count;
            return new ScheduleProblem(site,
                intervals.Select(i => i with
                {
                    ReserveKw = totalPower > 0 ? i.ReserveKw * share : 0,
                    BaselineKw = i.BaselineKw * share,
                    ExportLimitKw = splitEnvelope ? i.ExportLimitKw * share : null,
                    ImportLimitKw = splitEnvelope ? i.ImportLimitKw * share : null,
                }).ToList(),
                length, degradationEurPerKwh);
        }).ToList();
        foreach (var (p, k) in problems.Select((p, k) => (p, k)))
            if (p.Problem() is { } problem) throw new ArgumentException($"Invalid schedule problem for site {k}: {problem}", nameof(sites));
        return problems;
    }

    /// <summary>One battery's columns and rows; bounds and coefficients are set per problem by <see cref="SetBattery"/>.</summary>
    private sealed record BatteryVars(Variable[] Charge, Variable[] Discharge, Variable[] Energy, Constraint[] Net, Constraint[] Balance)
    {
        public double[] BaselineKw { get; set; } = [];
    }

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

    /// <summary>No trading: the batteries run their (feasible) baseline alone.</summary>
    private static Schedule Idle(ScheduleProblem p)
    {
        var baseline = FeasibleBaseline(p, p.Fleet, p.Intervals.Select(i => i.ReserveKw).ToArray(), out _);
        var e = p.Fleet.InitialKwh;
        return new Schedule(baseline.Select(b => new ScheduledInterval(0, 0, e += Drift(b, p.Fleet, p.IntervalLength.TotalHours), b)).ToList(), 0, 0);
    }

    /// <summary>Energy the baseline moves in one interval (cells; losses included).</summary>
    private static double Drift(double baselineKw, FleetModel f, double h) =>
        baselineKw > 0 ? -baselineKw * h / f.DischargeEfficiency : -baselineKw * h * f.ChargeEfficiency;

    /// <summary>The structure of one battery's day: c, d, e per interval, its net-power and energy-balance rows.</summary>
    private static BatteryVars AddBattery(Solver solver, int n)
    {
        var (c, d, e, net, balance) = (new Variable[n], new Variable[n], new Variable[n], new Constraint[n], new Constraint[n]);
        for (var t = 0; t < n; t++)
        {
            (c[t], d[t], e[t]) = (solver.MakeNumVar(0, 0, ""), solver.MakeNumVar(0, 0, ""), solver.MakeNumVar(0, 0, ""));
            net[t] = solver.MakeConstraint(0, 0, "");
            net[t].SetCoefficient(d[t], 1);
            net[t].SetCoefficient(c[t], -1);
            balance[t] = solver.MakeConstraint(0, 0, "");
            balance[t].SetCoefficient(e[t], 1);
            if (t > 0) balance[t].SetCoefficient(e[t - 1], -1);
        }
        return new BatteryVars(c, d, e, net, balance);
    }

    /// <summary>Sets one battery's bounds, coefficients and objective terms for a problem (the formulation in the class summary).</summary>
    private static void SetBattery(Solver solver, BatteryVars v, ScheduleProblem p)
    {
        var f = p.Fleet;
        var reserveKw = p.Intervals.Select(i => i.ReserveKw).ToArray();
        var baselineKw = FeasibleBaseline(p, f, reserveKw, out var baselineEndKwh);
        var finalMinKwh = p.FinalMinKwh ?? baselineEndKwh;
        var h = p.IntervalLength.TotalHours;
        var sustainH = ScheduleProblem.ReserveSustain.TotalHours;
        var n = p.Intervals.Count;
        var objective = solver.Objective();
        for (var t = 0; t < n; t++)
        {
            var (r, b) = (reserveKw[t], baselineKw[t]);
            // The market may also undo the baseline: charge up to the limit plus what the homes discharge, and the reverse.
            v.Charge[t].SetBounds(0, f.MaxChargeKw - r + Math.Max(0, b));
            v.Discharge[t].SetBounds(0, f.MaxDischargeKw - r + Math.Max(0, -b));
            // −(maxCharge − R) − b ≤ d − c ≤ maxDischarge − R − b
            v.Net[t].SetBounds(-(f.MaxChargeKw - r) - b, f.MaxDischargeKw - r - b);
            var low = f.FloorKwh + r * sustainH / f.DischargeEfficiency;
            var high = f.CapacityKwh - r * sustainH * f.ChargeEfficiency;
            if (low > high + 1e-9)
                throw new InvalidOperationException($"Interval {t}: {r} kW of reserve needs more energy headroom than the battery has.");
            v.Energy[t].SetBounds(low, Math.Max(low, high));

            // e_t − e_(t−1) − ηc·h·c_t + h/ηd·d_t = β_t (+ the initial energy at t = 0)
            var fixedKwh = (t == 0 ? f.InitialKwh : 0) + Drift(b, f, h);
            v.Balance[t].SetBounds(fixedKwh, fixedKwh);
            v.Balance[t].SetCoefficient(v.Charge[t], -f.ChargeEfficiency * h);
            v.Balance[t].SetCoefficient(v.Discharge[t], h / f.DischargeEfficiency);

            var eurPerKw = p.Intervals[t].PriceEurPerMwh / 1000 * h;
            objective.SetCoefficient(v.Discharge[t], eurPerKw - p.DegradationEurPerKwh * h);
            objective.SetCoefficient(v.Charge[t], -eurPerKw - p.DegradationEurPerKwh * h);
        }
        // The day ends with at least the required energy (or as much of it as the last interval allows).
        var last = v.Energy[n - 1];
        last.SetLb(Math.Min(Math.Max(last.Lb(), finalMinKwh), last.Ub()));
        objective.SetMaximization();
        v.BaselineKw = baselineKw;
    }

    /// <summary>Envelope rows on the sum of the batteries' net power, one export and one import row per interval.</summary>
    private static (Constraint[] Export, Constraint[] Import) AddEnvelopes(Solver solver, int n, IReadOnlyList<BatteryVars> batteries)
    {
        var (exports, imports) = (new Constraint[n], new Constraint[n]);
        for (var t = 0; t < n; t++)
        {
            (exports[t], imports[t]) = (solver.MakeConstraint(), solver.MakeConstraint());
            foreach (var b in batteries)
            {
                exports[t].SetCoefficient(b.Discharge[t], 1);
                exports[t].SetCoefficient(b.Charge[t], -1);
                imports[t].SetCoefficient(b.Discharge[t], -1);
                imports[t].SetCoefficient(b.Charge[t], 1);
            }
        }
        return (exports, imports);
    }

    /// <summary>The envelope's limits per interval (none: unbounded).</summary>
    private static void SetEnvelopes((Constraint[] Export, Constraint[] Import) rows, IReadOnlyList<ScheduleInterval> intervals)
    {
        for (var t = 0; t < intervals.Count; t++)
        {
            rows.Export[t].SetBounds(double.NegativeInfinity, intervals[t].ExportLimitKw ?? double.PositiveInfinity);
            rows.Import[t].SetBounds(double.NegativeInfinity, intervals[t].ImportLimitKw ?? double.PositiveInfinity);
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
