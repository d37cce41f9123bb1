namespace Vpp.Persistence.ReadModels;

/// <summary>
/// Queries over the read models. Device lookups are strongly consistent (the gateway authenticates
/// with them); the site registry, command history and timeline come from asynchronous projections
/// and may trail the event store by a moment.
/// </summary>
public interface IReadModels
{
    Task<DeviceDirectoryEntry?> FindDeviceByTokenHashAsync(string tokenHash, CancellationToken ct = default);
    Task<DeviceDirectoryEntry?> GetDeviceAsync(string deviceId, CancellationToken ct = default);
    /// <summary>The devices among <paramref name="deviceIds"/> that exist, in one query.</summary>
    Task<IReadOnlyList<DeviceDirectoryEntry>> GetDevicesAsync(IReadOnlyCollection<string> deviceIds, CancellationToken ct = default);
    Task<long> CountSitesAsync(CancellationToken ct = default);
    /// <summary>Sites ordered by id.</summary>
    Task<ResultPage<SiteDirectoryEntry>> ListSitesAsync(int skip, int take, CancellationToken ct = default);
    /// <summary>Newest first.</summary>
    Task<ResultPage<CommandHistoryEntry>> CommandHistoryAsync(string deviceId, int skip, int take, CancellationToken ct = default);
    /// <summary>Dispatch requests that have not ended (strongly consistent), for resuming them after a restart.</summary>
    Task<IReadOnlyList<OpenDispatchEntry>> ListOpenDispatchesAsync(CancellationToken ct = default);
    /// <summary>Newest first.</summary>
    Task<ResultPage<SiteTimelineEntry>> SiteTimelineAsync(string siteId, int skip, int take, CancellationToken ct = default);
}
