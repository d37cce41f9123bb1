using NodaTime;
using Vpp.Domain.Telemetry;

namespace Vpp.Persistence.Telemetry;

/// <summary>
/// Per-host accumulator of minute rollups, so the database sees one row per device and minute,
/// never one write per reading. A minute is held until it has ended and then written once; only a
/// late reading for a minute already written causes a second, merging write. Sharded locks keep
/// concurrent device twins from contending; nothing added during a drain is lost.
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

    /// <summary>
    /// Takes the rows of minutes that ended at or before <paramref name="closedAt"/> (all rows when
    /// null, e.g. at shutdown); rows of minutes still running stay to collect more readings.
    /// </summary>
    public IReadOnlyList<DeviceMinuteRollup> Drain(Instant? closedAt = null)
    {
        var all = new List<DeviceMinuteRollup>();
        var openFrom = closedAt is { } c ? c - TelemetryBuckets.Minute : Instant.MaxValue;
        foreach (var shard in _shards)
        {
            lock (shard.Lock)
            {
                foreach (var (key, row) in shard.Rows.Where(r => r.Key.Bucket <= openFrom).ToList())
                {
                    all.Add(row);
                    shard.Rows.Remove(key);
                }
            }
        }
        return all;
    }

    /// <summary>Rows held (open minutes and rows waiting for the next flush).</summary>
    public int Count
    {
        get
        {
            var n = 0;
            foreach (var shard in _shards)
                lock (shard.Lock) n += shard.Rows.Count;
            return n;
        }
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
