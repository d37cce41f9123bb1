using NodaTime;
using Vpp.Domain.Telemetry;

namespace Vpp.Persistence.Telemetry;

/// <summary>
/// Per-device minute rollups of telemetry. Writes are batches of partial rollups that the store
/// MERGES into what it holds (a late reading after a flush adds to its bucket, it does not replace it).
/// </summary>
public interface IRollupStore
{
    bool IsDurable { get; }
    Task MergeAsync(IReadOnlyList<DeviceMinuteRollup> batch, CancellationToken ct = default);
    /// <summary>Minute rollups of the site's devices with bucket start in [start, end).</summary>
    Task<IReadOnlyList<DeviceMinuteRollup>> ReadSiteAsync(string siteId, Interval interval, CancellationToken ct = default);
}

public sealed class InMemoryRollupStore : IRollupStore
{
    private readonly Dictionary<(string DeviceId, Instant Bucket), DeviceMinuteRollup> _rows = [];
    private readonly Lock _lock = new();

    public bool IsDurable => false;

    public Task MergeAsync(IReadOnlyList<DeviceMinuteRollup> batch, CancellationToken ct = default)
    {
        lock (_lock)
        {
            foreach (var r in batch)
            {
                var key = (r.DeviceId, r.BucketStart);
                _rows[key] = _rows.TryGetValue(key, out var existing) ? existing.Merge(r) : r;
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeviceMinuteRollup>> ReadSiteAsync(string siteId, Interval interval, CancellationToken ct = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<DeviceMinuteRollup>>(_rows.Values
                .Where(r => r.SiteId == siteId && interval.Contains(r.BucketStart)).OrderBy(r => r.BucketStart).ToList());
    }
}
