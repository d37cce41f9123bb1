using NodaTime;

namespace Vpp.Domain.Grid;

/// <summary>
/// A region's battery baseline — the sum of its batteries' power without the VPP (&gt; 0
/// discharging: covering the homes' load; &lt; 0 charging: from their PV) — as a mean per
/// quarter-hour over the last <see cref="Retention"/>: the recent history the market scheduler
/// forecasts from. Sampled as the sites report, at most every <see cref="SampleEvery"/>. Kept in
/// the region's memory; the region records each completed quarter-hour in its stream and restores
/// them after a restart (<see cref="Restore"/>).
/// </summary>
public sealed class FleetBaselineHistory
{
    public static readonly Duration Quarter = Duration.FromMinutes(15);
    public static readonly Duration Retention = Duration.FromDays(8);
    public static readonly Duration SampleEvery = Duration.FromSeconds(10);

    private readonly SortedDictionary<Instant, (double SumKw, int Samples)> _quarters = [];
    private Instant? _lastSample;

    /// <summary>Records the fleet's baseline at <paramref name="at"/> unless the last sample is less than <see cref="SampleEvery"/> before it (or after it). True when recorded.</summary>
    public bool Sample(Instant at, Func<double> fleetKw)
    {
        if (_lastSample is { } last && at - last < SampleEvery) return false; // too soon, or older than the last sample
        var kw = fleetKw();
        if (!double.IsFinite(kw)) return false;
        _lastSample = at;
        var quarter = QuarterOf(at);
        var (sum, n) = _quarters.GetValueOrDefault(quarter);
        _quarters[quarter] = (sum + kw, n + 1);
        while (_quarters.Count > 0 && _quarters.Keys.First() < at - Retention) _quarters.Remove(_quarters.Keys.First());
        return true;
    }

    /// <summary>
    /// Adds a quarter-hour recorded earlier (mean kW over <paramref name="samples"/>) to what is held;
    /// samples of the same quarter seen since then count alongside it. Older than the retention: ignored.
    /// </summary>
    public void Restore(Instant quarterStart, double meanKw, int samples, Instant now)
    {
        if (samples <= 0 || !double.IsFinite(meanKw) || quarterStart < now - Retention) return;
        var quarter = QuarterOf(quarterStart);
        var (sum, n) = _quarters.GetValueOrDefault(quarter);
        _quarters[quarter] = (sum + meanKw * samples, n + samples);
    }

    /// <summary>The quarter-hour starting at <paramref name="quarterStart"/>: mean kW and samples, or null when none was seen.</summary>
    public (double MeanKw, int Samples)? Get(Instant quarterStart) =>
        _quarters.TryGetValue(quarterStart, out var q) ? (q.SumKw / q.Samples, q.Samples) : null;

    /// <summary>Each quarter-hour seen: its start and mean baseline kW, oldest first.</summary>
    public IReadOnlyList<(Instant Start, double Kw)> Quarters() => _quarters.Select(q => (q.Key, q.Value.SumKw / q.Value.Samples)).ToList();

    /// <summary>The quarter-hour (UTC-aligned, which every time zone's quarter-hours are) an instant lies in.</summary>
    public static Instant QuarterOf(Instant t)
    {
        var ticks = t.ToUnixTimeTicks();
        var q = Quarter.BclCompatibleTicks;
        return Instant.FromUnixTimeTicks(ticks - (((ticks % q) + q) % q));
    }
}
