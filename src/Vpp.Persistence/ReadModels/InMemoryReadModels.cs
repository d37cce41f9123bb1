namespace Vpp.Persistence.ReadModels;

/// <summary>Read models of the in-memory store, updated synchronously by <see cref="EventStore.InMemoryEventStore"/>.</summary>
public sealed class InMemoryReadModels : IReadModels
{
    private readonly Dictionary<string, SiteDirectoryEntry> _sites = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceDirectoryEntry> _devices = new(StringComparer.Ordinal);
    /// <summary>Devices by token hash, read without the lock: every device upgrade looks one up.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DeviceDirectoryEntry> _byTokenHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CommandHistoryEntry> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OpenDispatchEntry> _dispatches = new(StringComparer.Ordinal);
    private readonly List<SiteTimelineEntry> _timeline = [];
    private long _sequence;
    private readonly Lock _lock = new();

    internal void Apply(object e)
    {
        lock (_lock)
        {
            _sequence++;
            Update(_sites, SiteIdOf(e), e, SiteDirectoryProjector.Evolve);
            var deviceId = (e as Events.IDeviceEvent)?.DeviceId;
            // The projector changes an entry in place: take its token hash before.
            var oldHash = deviceId is null ? null : _devices.GetValueOrDefault(deviceId)?.TokenHash;
            Update(_devices, deviceId, e, DeviceDirectoryProjector.Evolve);
            if (deviceId is not null) IndexToken(oldHash, _devices.GetValueOrDefault(deviceId));
            Update(_commands, CommandHistoryProjector.CommandIdOf(e), e, CommandHistoryProjector.Evolve);
            Update(_dispatches, (e as Events.IDispatchEvent)?.RequestId, e, OpenDispatchProjector.Evolve);
            if (SiteTimelineProjector.ToEntry(e, _sequence) is { } line) _timeline.Add(line);
        }
    }

    private static string? SiteIdOf(object e) => (e as Events.ISiteEvent)?.SiteId;

    private void IndexToken(string? oldHash, DeviceDirectoryEntry? after)
    {
        if (oldHash is not null && oldHash != after?.TokenHash) _byTokenHash.TryRemove(oldHash, out _);
        if (after?.TokenHash is { } current) _byTokenHash[current] = after;
    }

    private static void Update<T>(Dictionary<string, T> docs, string? id, object e, Func<T?, object, T?> evolve) where T : class
    {
        if (id is null) return;
        var next = evolve(docs.GetValueOrDefault(id), e);
        if (next is null) docs.Remove(id);
        else docs[id] = next;
    }

    public Task<DeviceDirectoryEntry?> FindDeviceByTokenHashAsync(string tokenHash, CancellationToken ct = default)
    {
        return Task.FromResult(_byTokenHash.GetValueOrDefault(tokenHash));
    }

    public Task<DeviceDirectoryEntry?> GetDeviceAsync(string deviceId, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult(_devices.GetValueOrDefault(deviceId));
    }

    public Task<IReadOnlyList<DeviceDirectoryEntry>> GetDevicesAsync(IReadOnlyCollection<string> deviceIds, CancellationToken ct = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<DeviceDirectoryEntry>>(deviceIds.Select(id => _devices.GetValueOrDefault(id)).OfType<DeviceDirectoryEntry>().ToList());
    }

    public Task<long> CountSitesAsync(CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult((long)_sites.Count);
    }

    public Task<ResultPage<SiteDirectoryEntry>> ListSitesAsync(int skip, int take, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult(Page(_sites.Values.OrderBy(s => s.Id, StringComparer.Ordinal), skip, take));
    }

    public Task<ResultPage<CommandHistoryEntry>> CommandHistoryAsync(string deviceId, int skip, int take, CancellationToken ct = default)
    {
        lock (_lock)
            return Task.FromResult(Page(_commands.Values.Where(c => c.DeviceId == deviceId)
                .OrderByDescending(c => c.IssuedAt).ThenByDescending(c => c.Id, StringComparer.Ordinal), skip, take));
    }

    public Task<IReadOnlyList<OpenDispatchEntry>> ListOpenDispatchesAsync(CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<OpenDispatchEntry>>(_dispatches.Values.Where(d => d.Open).ToList());
    }

    public Task<ResultPage<SiteTimelineEntry>> SiteTimelineAsync(string siteId, int skip, int take, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult(Page(_timeline.Where(t => t.SiteId == siteId).OrderByDescending(t => t.Id), skip, take));
    }

    private static ResultPage<T> Page<T>(IEnumerable<T> ordered, int skip, int take)
    {
        var all = ordered.ToList();
        return new ResultPage<T>(all.Skip(skip).Take(take).ToList(), all.Count, skip, take);
    }
}
