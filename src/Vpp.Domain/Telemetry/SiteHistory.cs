using NodaTime;

namespace Vpp.Domain.Telemetry;

public enum HistoryResolution
{
    Minute,
    QuarterHour,
    Hour,
}

/// <summary>
/// One flow over one history bucket. Mean is exact. Min and max are summed over the devices of
/// that flow, which is exact for one device per flow (the usual home) and an outer bound
/// otherwise. Energy: positive part (discharge / production / import) and negative part.
/// </summary>
public sealed record FlowPoint(double? MeanKw, double? MinKw, double? MaxKw, double PositiveKwh, double NegativeKwh)
{
    public static readonly FlowPoint None = new(null, null, null, 0, 0);
}

/// <summary>A site over one bucket. Signs as in docs/conventions.md; SoC is capacity-weighted over batteries.</summary>
public sealed record SiteHistoryPoint(Instant Start, FlowPoint Pv, FlowPoint Battery, FlowPoint Grid, FlowPoint Load, double? SocPctEnd);

public static class SiteHistory
{
    public static Duration SizeOf(HistoryResolution r) => r switch
    {
        HistoryResolution.Minute => Duration.FromMinutes(1),
        HistoryResolution.QuarterHour => Duration.FromMinutes(15),
        _ => Duration.FromHours(1),
    };

    /// <summary>
    /// Builds the site's history from its devices' minute rollups. Buckets are aligned to UTC;
    /// buckets without any reading are left out.
    /// </summary>
    public static IReadOnlyList<SiteHistoryPoint> Build(IEnumerable<DeviceMinuteRollup> minutes, HistoryResolution resolution)
    {
        var size = SizeOf(resolution);
        return minutes
            .GroupBy(m => TelemetryBuckets.Floor(m.BucketStart, size))
            .OrderBy(g => g.Key)
            .Select(g => Point(g.Key, g.ToList()))
            .ToList();
    }

    private static SiteHistoryPoint Point(Instant start, IReadOnlyList<DeviceMinuteRollup> rows)
    {
        var perDevice = rows.GroupBy(r => r.DeviceId).Select(Device).ToList();
        var pv = Sum(perDevice.Where(d => d.Flow == SiteFlow.Pv).Select(d => d.Power));
        var battery = Sum(perDevice.Where(d => d.Flow == SiteFlow.Battery).Select(d => d.Power));
        var grid = Sum(perDevice.Where(d => d.Flow == SiteFlow.Grid).Select(d => d.Power));
        var meterLoads = perDevice.Where(d => d.Load is not null).Select(d => d.Load!).ToList();
        var load = meterLoads.Count > 0 ? Sum(meterLoads) : DerivedLoad(pv, battery, grid);

        double stored = 0, capacity = 0;
        foreach (var d in perDevice.Where(d => d.SocPctEnd is not null && d.CapacityKwh is > 0))
        {
            stored += d.SocPctEnd!.Value * d.CapacityKwh!.Value;
            capacity += d.CapacityKwh!.Value;
        }
        return new SiteHistoryPoint(start, pv, battery, grid, load, capacity > 0 ? stored / capacity : null);
    }

    private sealed record DeviceBucket(SiteFlow Flow, FlowPoint Power, FlowPoint? Load, double? SocPctEnd, double? CapacityKwh);

    private static DeviceBucket Device(IEnumerable<DeviceMinuteRollup> minutes)
    {
        var list = minutes.ToList();
        var last = list.Where(m => m.SocAt is not null).MaxBy(m => m.SocAt);
        var anyLoad = list.Any(m => !m.Load.IsEmpty);
        return new DeviceBucket(list[0].Flow, Point(list, m => m.Power), anyLoad ? Point(list, m => m.Load) : null,
            last?.SocPctEnd, list.Select(m => m.CapacityKwh).FirstOrDefault(c => c is not null));
    }

    // Energy per minute first (each minute caps its own coverage), then summed.
    private static FlowPoint Point(IReadOnlyList<DeviceMinuteRollup> minutes, Func<DeviceMinuteRollup, FlowStats> flow)
    {
        var total = FlowStats.Empty;
        double pos = 0, neg = 0;
        foreach (var m in minutes)
        {
            var s = flow(m);
            total = total.Merge(s);
            var (p, n) = s.EnergyKwh(m.SampleInterval);
            pos += p;
            neg += n;
        }
        return total.IsEmpty ? FlowPoint.None : new FlowPoint(total.MeanKw, total.MinKw, total.MaxKw, pos, neg);
    }

    private static FlowPoint Sum(IEnumerable<FlowPoint> points)
    {
        double? mean = null, min = null, max = null;
        double pos = 0, neg = 0;
        foreach (var p in points)
        {
            if (p.MeanKw is null) continue;
            mean = (mean ?? 0) + p.MeanKw;
            min = (min ?? 0) + p.MinKw;
            max = (max ?? 0) + p.MaxKw;
            pos += p.PositiveKwh;
            neg += p.NegativeKwh;
        }
        return new FlowPoint(mean, min, max, pos, neg);
    }

    /// <summary>No meter load: load = pv + battery + grid, in mean and in net energy; extremes unknown.</summary>
    private static FlowPoint DerivedLoad(FlowPoint pv, FlowPoint battery, FlowPoint grid)
    {
        if (pv.MeanKw is null && battery.MeanKw is null && grid.MeanKw is null) return FlowPoint.None;
        var mean = (pv.MeanKw ?? 0) + (battery.MeanKw ?? 0) + (grid.MeanKw ?? 0);
        var kwh = pv.PositiveKwh - pv.NegativeKwh + battery.PositiveKwh - battery.NegativeKwh + grid.PositiveKwh - grid.NegativeKwh;
        return new FlowPoint(mean, null, null, Math.Max(kwh, 0), Math.Max(-kwh, 0));
    }
}
