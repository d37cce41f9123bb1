using Google.OrTools.LinearSolver;

namespace Vpp.Scheduling;

/// <summary>
/// The fleet's charge/discharge schedule that maximises revenue minus degradation, as a linear
/// program solved with GLOP. Per interval t (h = interval length in hours):
/// <code>
///   0 ≤ c_t ≤ maxCharge − R_t,   0 ≤ d_t ≤ maxDischarge − R_t
///   e_t = e_(t−1) + ηc·c_t·h − d_t·h/ηd
///   floor + R_t·¼h/ηd ≤ e_t ≤ capacity − R_t·¼h·ηc         (reserve sustainable 15 min both ways)
///   d_t − c_t ≤ exportLimit_t,   c_t − d_t ≤ importLimit_t   (operating envelope)
///   e_last ≥ final energy (default: the initial energy)
///   max Σ price_t·(d_t − c_t)·h/1000 − degradation·(c_t + d_t)·h
/// </code>
/// The floor is the sum of the homes' backup reserves: no schedule goes below it.
/// </summary>
public static class ScheduleOptimiser
{
    public static Schedule Solve(ScheduleProblem p)
    {
        if (p.Problem() is { } problem) throw new ArgumentException("Invalid schedule problem: " + problem, nameof(p));
        var f = p.Fleet;
        var h = p.IntervalLength.TotalHours;
        var sustainH = ScheduleProblem.ReserveSustain.TotalHours;
        using var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("The GLOP solver is not available.");
        var n = p.Intervals.Count;
        var c = new Variable[n];
        var d = new Variable[n];
        var e = new Variable[n];
        var objective = solver.Objective();
        for (var t = 0; t < n; t++)
        {
            var i = p.Intervals[t];
            c[t] = solver.MakeNumVar(0, f.MaxChargeKw - i.ReserveKw, $"c{t}");
            d[t] = solver.MakeNumVar(0, f.MaxDischargeKw - i.ReserveKw, $"d{t}");
            var low = f.FloorKwh + i.ReserveKw * sustainH / f.DischargeEfficiency;
            var high = f.CapacityKwh - i.ReserveKw * sustainH * f.ChargeEfficiency;
            if (low > high + 1e-9)
                throw new InvalidOperationException($"Interval {t}: {i.ReserveKw} kW of reserve needs more energy headroom than the fleet has.");
            e[t] = solver.MakeNumVar(low, Math.Max(low, high), $"e{t}");

            // e_t − e_(t−1) − ηc·h·c_t + h/ηd·d_t = 0
            var balance = solver.MakeConstraint(t == 0 ? f.InitialKwh : 0, t == 0 ? f.InitialKwh : 0, $"balance{t}");
            balance.SetCoefficient(e[t], 1);
            if (t > 0) balance.SetCoefficient(e[t - 1], -1);
            balance.SetCoefficient(c[t], -f.ChargeEfficiency * h);
            balance.SetCoefficient(d[t], h / f.DischargeEfficiency);

            if (i.ExportLimitKw is { } export)
            {
                var x = solver.MakeConstraint(double.NegativeInfinity, export, $"export{t}");
                x.SetCoefficient(d[t], 1);
                x.SetCoefficient(c[t], -1);
            }
            if (i.ImportLimitKw is { } import)
            {
                var m = solver.MakeConstraint(double.NegativeInfinity, import, $"import{t}");
                m.SetCoefficient(c[t], 1);
                m.SetCoefficient(d[t], -1);
            }
            var eurPerKw = i.PriceEurPerMwh / 1000 * h;
            objective.SetCoefficient(d[t], eurPerKw - p.DegradationEurPerKwh * h);
            objective.SetCoefficient(c[t], -eurPerKw - p.DegradationEurPerKwh * h);
        }
        // The day ends with at least the required energy (or as much of it as the last interval allows).
        var last = e[n - 1];
        last.SetLb(Math.Min(Math.Max(last.Lb(), p.FinalMinKwh ?? f.InitialKwh), last.Ub()));
        objective.SetMaximization();
        var status = solver.Solve();
        if (status != Solver.ResultStatus.OPTIMAL)
            throw new InvalidOperationException($"The schedule has no optimal solution ({status}): the reserve and envelopes leave no feasible schedule from the initial energy.");

        var intervals = new List<ScheduledInterval>(n);
        double revenue = 0, degradation = 0;
        for (var t = 0; t < n; t++)
        {
            var (ct, dt) = (c[t].SolutionValue(), d[t].SolutionValue());
            intervals.Add(new ScheduledInterval(ct, dt, e[t].SolutionValue()));
            revenue += p.Intervals[t].PriceEurPerMwh / 1000 * (dt - ct) * h;
            degradation += p.DegradationEurPerKwh * (ct + dt) * h;
        }
        return new Schedule(intervals, revenue, degradation);
    }
}
