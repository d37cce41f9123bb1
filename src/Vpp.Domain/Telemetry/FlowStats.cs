using NodaTime;

namespace Vpp.Domain.Telemetry;

/// <summary>
/// Running statistics of one power flow over a bucket. Only sums, extremes and counts, so two
/// partial results merge exactly in any order: a backfill or an out-of-order reading gives the same
/// numbers as live, in-order delivery.
/// </summary>
public readonly record struct FlowStats(int Count, double SumKw, double MinKw, double MaxKw, double SumPositiveKw, double SumNegativeKw)
{
    public static readonly FlowStats Empty = new(0, 0, double.PositiveInfinity, double.NegativeInfinity, 0, 0);

    public bool IsEmpty => Count == 0;
    public double? MeanKw => Count == 0 ? null : SumKw / Count;

    public FlowStats Add(double kw) => new(Count + 1, SumKw + kw, Math.Min(MinKw, kw), Math.Max(MaxKw, kw),
        SumPositiveKw + Math.Max(kw, 0), SumNegativeKw + Math.Max(-kw, 0));

    public FlowStats Merge(FlowStats o) => o.Count == 0 ? this : Count == 0 ? o
        : new(Count + o.Count, SumKw + o.SumKw, Math.Min(MinKw, o.MinKw), Math.Max(MaxKw, o.MaxKw),
            SumPositiveKw + o.SumPositiveKw, SumNegativeKw + o.SumNegativeKw);

    /// <summary>
    /// Energy of the positive and negative parts, in kWh. Each reading stands for one telemetry
    /// interval, except that the readings of one minute never cover more than that minute (a device
    /// reporting faster than asked is not counted twice). Missing readings add no energy.
    /// </summary>
    public (double PositiveKwh, double NegativeKwh) EnergyKwh(Duration sampleInterval)
    {
        if (Count == 0) return (0, 0);
        var hoursPerReading = Math.Min(sampleInterval.TotalHours, TelemetryBuckets.Minute.TotalHours / Count);
        return (SumPositiveKw * hoursPerReading, SumNegativeKw * hoursPerReading);
    }
}
