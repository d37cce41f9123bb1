namespace Vpp.Scheduling;

public static partial class ScheduleOptimiser
{
    /// <summary>
    /// Independent problems with the same number of intervals (e.g. one day's bid levels), solved in
    /// parallel: one program per worker, reused from problem to problem.
    /// </summary>
    public static Schedule[] SolveMany(IReadOnlyList<ScheduleProblem> problems)
    {
        var results = new Solved[problems.Count];
        SolveInParallel(problems, Enumerable.Range(0, problems.Count), results);
        return results.Select(r => r.Schedule).ToArray();
    }

    /// <summary>Problems solved one after another by one program (each warm-starts from the one before).</summary>
    private const int ChunkSize = 16;

    /// <param name="idleWhenInfeasible">A problem with no feasible schedule gets the idle one (no trading) instead of failing all.</param>
    /// <remarks>
    /// In fixed chunks, not one program per worker thread: a warm start can end on another optimal vertex
    /// with other shadow prices, and the envelope rounds follow the shadow prices, so which problems a
    /// program solved before must not depend on thread scheduling. The same problems give the same
    /// schedules whatever the load.
    /// </remarks>
    private static void SolveInParallel(IReadOnlyList<ScheduleProblem> problems, IEnumerable<int> which,
        Solved[] results, bool idleWhenInfeasible = false)
    {
        if (problems.Count == 0) return;
        var n = problems[0].Intervals.Count;
        try
        {
            Parallel.ForEach(which.Chunk(ChunkSize), chunk =>
            {
                using var program = new BatteryProgram(n);
                foreach (var k in chunk)
                {
                    try
                    {
                        results[k] = program.Solve(problems[k]);
                    }
                    catch (InvalidOperationException) when (idleWhenInfeasible)
                    {
                        results[k] = new Solved(Idle(problems[k]), new double[n], new double[n]);
                    }
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // The caller sees what one problem threw, as it would from Solve.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    /// <summary>
    /// The homes' own plans added up, per interval, and their profit: what a fleet can trade without
    /// lending power between homes (a home that cannot keep its share of the reserve trades nothing).
    /// The fleet's reserve, baseline and envelope are split over the homes by their power.
    /// </summary>
    public static (double[] NetKw, double ProfitEur) PlanHomes(IReadOnlyList<FleetModel> homes, ScheduleProblem fleet)
    {
        var schedules = SolvePerSiteDecomposed(homes, fleet.Intervals, fleet.IntervalLength, fleet.DegradationEurPerKwh, idleWhenInfeasible: true);
        var netKw = new double[fleet.Intervals.Count];
        foreach (var s in schedules)
            for (var t = 0; t < netKw.Length; t++) netKw[t] += s.Intervals[t].NetKw;
        return (netKw, schedules.Sum(s => s.ProfitEur));
    }

    /// <summary>
    /// The per-site formulation, decomposed: each site is its own small program (the same one
    /// <see cref="SolvePerSite"/> puts into one large program), solved in parallel, and the fleet's
    /// envelope is coordinated between them by price. Round 0 gives every site a share of the
    /// envelope in proportion to its power. After each round, in every interval, sites whose share
    /// is worth nothing to them (shadow price 0) give up what they do not use, and the sites that
    /// value more envelope (shadow price &gt; 0) get it in proportion to their power and solve again.
    /// <para>
    /// Why this is safe and never worse: a site's limits change only where its previous schedule
    /// still fits them (shrunk to what it used, or grown), so its schedule stays feasible and its
    /// profit cannot fall; shares only move between sites, so their sum never exceeds the fleet's
    /// envelope. The result is at most the monolithic optimum (<see cref="SolvePerSite"/>), and
    /// equal to it when the envelope never binds.
    /// </para>
    /// </summary>
    /// <param name="rounds">Rounds of envelope coordination after the first solve (0: a fixed split by power).</param>
    /// <param name="idleWhenInfeasible">
    /// A site that cannot keep its share of the reserve from its energy gets the idle schedule (it trades
    /// nothing) instead of failing the whole fleet.
    /// </param>
    public static IReadOnlyList<Schedule> SolvePerSiteDecomposed(IReadOnlyList<FleetModel> sites, IReadOnlyList<ScheduleInterval> intervals,
        NodaTime.Duration length, double degradationEurPerKwh, int rounds = 0, bool idleWhenInfeasible = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rounds);
        var problems = SiteProblems(sites, intervals, length, degradationEurPerKwh, splitEnvelope: true);
        var results = new Solved[problems.Count];
        var toSolve = Enumerable.Range(0, problems.Count).ToList();
        for (var round = 0; ; round++)
        {
            SolveInParallel(problems, toSolve, results, idleWhenInfeasible);
            if (round == rounds) break;
            var grown = new HashSet<int>();
            for (var t = 0; t < intervals.Count; t++)
            {
                if (intervals[t].ExportLimitKw is not null) Reshare(t, sign: 1, r => r.ExportValue, i => i.ExportLimitKw!.Value,
                    (i, limit) => i with { ExportLimitKw = limit }, grown);
                if (intervals[t].ImportLimitKw is not null) Reshare(t, sign: -1, r => r.ImportValue, i => i.ImportLimitKw!.Value,
                    (i, limit) => i with { ImportLimitKw = limit }, grown);
            }
            if (grown.Count == 0) break;
            toSolve = [.. grown];
        }
        return results.Select(r => r.Schedule).ToList();

        // Moves the unused part of the shares of sites that do not value them to the sites that do.
        void Reshare(int t, double sign, Func<Solved, double[]> value,
            Func<ScheduleInterval, double> limitOf, Func<ScheduleInterval, double, ScheduleInterval> withLimit, HashSet<int> grown)
        {
            var hungry = new List<int>();
            var (freed, hungryPower) = (0.0, 0.0);
            for (var k = 0; k < problems.Count; k++)
            {
                if (value(results[k])[t] > 1e-9)
                {
                    hungry.Add(k);
                    hungryPower += PowerOf(problems[k].Fleet);
                    continue;
                }
                var share = limitOf(problems[k].Intervals[t]);
                var used = Math.Max(0, sign * results[k].Schedule.Intervals[t].NetKw);
                if (used >= share - 1e-9) continue;
                freed += share - used;
                SetLimit(k, t, withLimit(problems[k].Intervals[t], used));
            }
            if (hungry.Count == 0 || freed <= 1e-9) return;
            foreach (var k in hungry)
            {
                var extra = freed * (hungryPower > 0 ? PowerOf(problems[k].Fleet) / hungryPower : 1.0 / hungry.Count);
                SetLimit(k, t, withLimit(problems[k].Intervals[t], limitOf(problems[k].Intervals[t]) + extra));
                grown.Add(k);
            }
        }

        void SetLimit(int k, int t, ScheduleInterval interval)
        {
            var own = problems[k].Intervals as ScheduleInterval[] ?? [.. problems[k].Intervals];
            own[t] = interval;
            problems[k] = problems[k] with { Intervals = own };
        }

        static double PowerOf(FleetModel f) => Math.Min(f.MaxChargeKw, f.MaxDischargeKw);
    }
}
