using NodaTime;

namespace Vpp.Domain.Telemetry;

/// <summary>Which of a home's flows a device measures. Signs as in docs/conventions.md.</summary>
public enum SiteFlow
{
    /// <summary>PV production, ≥ 0.</summary>
    Pv,
    /// <summary>Battery terminal power: &gt; 0 discharge, &lt; 0 charge.</summary>
    Battery,
    /// <summary>Grid connection: &gt; 0 import, &lt; 0 export. A meter may also report the home's load.</summary>
    Grid,
}

/// <summary>One device's readings in one minute of event time (the reading's ts, not its arrival).</summary>
public sealed record DeviceMinuteRollup(
    string SiteId,
    string DeviceId,
    SiteFlow Flow,
    Instant BucketStart,
    Duration SampleInterval,
    FlowStats Power,
    FlowStats Load,
    /// <summary>SoC of the reading with the latest ts in the bucket (batteries).</summary>
    double? SocPctEnd,
    Instant? SocAt,
    double? CapacityKwh)
{
    public static DeviceMinuteRollup Start(string siteId, string deviceId, SiteFlow flow, Instant ts, Duration sampleInterval, double? capacityKwh) =>
        new(siteId, deviceId, flow, TelemetryBuckets.MinuteOf(ts), sampleInterval, FlowStats.Empty, FlowStats.Empty, null, null, capacityKwh);

    public DeviceMinuteRollup Add(Instant ts, double powerKw, double? loadKw, double? socPct)
    {
        var latestSoc = socPct is not null && (SocAt is null || ts >= SocAt);
        return this with
        {
            Power = Power.Add(powerKw),
            Load = loadKw is { } l ? Load.Add(l) : Load,
            SocPctEnd = latestSoc ? socPct : SocPctEnd,
            SocAt = latestSoc ? ts : SocAt,
        };
    }

    /// <summary>Combines two partial rollups of the same device and bucket, in either order.</summary>
    public DeviceMinuteRollup Merge(DeviceMinuteRollup o)
    {
        if (o.DeviceId != DeviceId || o.BucketStart != BucketStart)
            throw new ArgumentException("Only rollups of the same device and bucket merge.", nameof(o));
        var laterSoc = o.SocAt is { } at && (SocAt is null || at > SocAt.Value);
        return this with
        {
            Power = Power.Merge(o.Power),
            Load = Load.Merge(o.Load),
            SocPctEnd = laterSoc ? o.SocPctEnd : SocPctEnd,
            SocAt = laterSoc ? o.SocAt : SocAt,
            CapacityKwh = CapacityKwh ?? o.CapacityKwh,
        };
    }
}

public static class TelemetryBuckets
{
    public static readonly Duration Minute = Duration.FromMinutes(1);

    /// <summary>Start of the UTC minute holding <paramref name="ts"/>.</summary>
    public static Instant MinuteOf(Instant ts) => Floor(ts, Minute);

    public static Instant Floor(Instant ts, Duration size)
    {
        var ticks = ts.ToUnixTimeTicks();
        var sizeTicks = size.BclCompatibleTicks;
        var floored = ticks - (((ticks % sizeTicks) + sizeTicks) % sizeTicks);
        return Instant.FromUnixTimeTicks(floored);
    }
}
