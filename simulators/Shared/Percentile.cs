namespace Vpp.Simulators.Shared;

/// <summary>Nearest-rank percentiles for the load runs' latency figures.</summary>
public static class Percentile
{
    /// <summary>The smallest value with at least <paramref name="p"/> % of the values at or below it; NaN for none.</summary>
    public static double Of(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
