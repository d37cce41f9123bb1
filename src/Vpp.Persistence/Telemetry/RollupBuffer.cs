using NodaTime;
using Vpp.Domain.Telemetry;

namespace Vpp.Persistence.Telemetry;

/// <summary>
/// Per-host accumulator of minute rollups between flushes, so the database sees one merged row per
/// device and minute per flush, never one write per reading. Sharded locks keep concurrent device
/// twins from contending; <see cref="Drain"/> swaps each shard out whole, so nothing added during a
/// drain is lost.
/// </summary>
public sealed class RollupBuffer
{
    private const int ShardCount = 64;
    private readonly Shard[] _shards = Enumerable.Range(0, ShardCount).Select(_ => new Shard()).ToArray();

    private sealed class Shard
    {
        public readonly Lock Lock = new();
        public Dictionary<(string DeviceId, Instant Bucket), DeviceMinuteRollup> Rows = [];
    }

    public void Add(string siteId, string deviceId, SiteFlow flow, Duration sampleInterval, double? capacityKwh,
        Instant ts, double powerKw, double? loadKw, double? socPct)
    {
        var bucket = TelemetryBuckets.MinuteOf(ts);
        var key = (deviceId, bucket);
        var shard = ShardOf(deviceId, bucket);
        lock (shard.Lock)
        {
            var row = shard.Rows.TryGetValue(key, out var existing)
                ? existing
                : DeviceMinuteRollup.Start(siteId, deviceId, flow, ts, sampleInterval, capacityKwh);
            shard.Rows[key] = row.Add(ts, powerKw, loadKw, socPct);
        }
    }

    private Shard ShardOf(string deviceId, Instant bucket) => _shards[(uint)HashCode.Combine(deviceId, bucket) % ShardCount];

    /// <summary>Takes everything accumulated so far.</summary>
    public IReadOnlyList<DeviceMinuteRollup> Drain()
    {
        var all = new List<DeviceMinuteRollup>();
        foreach (var shard in _shards)
        {
            Dictionary<(string, Instant), DeviceMinuteRollup> taken;
            lock (shard.Lock)
            {
                taken = shard.Rows;
                shard.Rows = [];
            }
            all.AddRange(taken.Values);
        }
        return all;
    }

    /// <summary>Puts rows back after a failed write, merging with anything added meanwhile.</summary>
    public void Return(IEnumerable<DeviceMinuteRollup> rows)
    {
        foreach (var r in rows)
        {
            var key = (r.DeviceId, r.BucketStart);
            var shard = ShardOf(r.DeviceId, r.BucketStart);
            lock (shard.Lock) shard.Rows[key] = shard.Rows.TryGetValue(key, out var e) ? e.Merge(r) : r;
        }
    }
}
