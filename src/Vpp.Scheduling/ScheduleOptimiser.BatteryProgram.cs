using Google.OrTools.LinearSolver;

namespace Vpp.Scheduling;

public static partial class ScheduleOptimiser
{
    /// <summary>
    /// One battery's program, kept between solves of days of the same length: the structure is built
    /// once and each problem only sets bounds and coefficients, so GLOP's dual simplex starts from
    /// the previous problem's basis (measured: 0.23 ms per home's day against 0.48 ms built afresh).
    /// Not thread-safe: one per thread.
    /// </summary>
    private sealed class BatteryProgram : IDisposable
    {
        private readonly Solver solver;
        private readonly BatteryVars battery;
        private readonly (Constraint[] Export, Constraint[] Import) envelope;

        public BatteryProgram(int intervals)
        {
            solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("The GLOP solver is not available.");
            // One battery's day is small and well scaled: the dual simplex without presolve solves it in
            // about half the time of the defaults (measured: 0.48 vs 0.89 ms, build included).
            solver.SetSolverSpecificParametersAsString("use_dual_simplex: true use_preprocessing: false");
            battery = AddBattery(solver, intervals);
            envelope = AddEnvelopes(solver, intervals, [battery]);
        }

        public int Intervals => battery.Charge.Length;

        public Solved Solve(ScheduleProblem p)
        {
            if (p.Problem() is { } problem) throw new ArgumentException("Invalid schedule problem: " + problem, nameof(p));
            if (p.Intervals.Count != Intervals) throw new ArgumentException($"This program has {Intervals} intervals, the problem {p.Intervals.Count}.", nameof(p));
            SetBattery(solver, battery, p);
            SetEnvelopes(envelope, p.Intervals);
            SolveOrThrow(solver);
            return new Solved(Read(p, battery), Values(envelope.Export), Values(envelope.Import));
        }

        private static double[] Values(Constraint[] rows) => rows.Select(c => Math.Abs(c.DualValue())).ToArray();

        public void Dispose() => solver.Dispose();
    }
}
