using System.Collections.Concurrent;

namespace Vpp.Registry;

/// <summary>Volatile registry for the embedded default and tests: everything is lost on restart.</summary>
public sealed class InMemoryRegistry : IRegistry
{
    private readonly ConcurrentDictionary<string, SiteRegistration> _sites = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeviceRegistration> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _deviceByTokenHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tokenHashByDevice = new(StringComparer.Ordinal);
    private readonly Lock _tokenLock = new();

    public Task<bool> TryAddSiteAsync(SiteRegistration site, CancellationToken ct = default) =>
        Task.FromResult(_sites.TryAdd(site.SiteId, site));

    public Task<SiteRegistration?> GetSiteAsync(string siteId, CancellationToken ct = default) =>
        Task.FromResult(_sites.GetValueOrDefault(siteId));

    public Task<IReadOnlyList<SiteRegistration>> ListSitesAsync(int skip, int take, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<SiteRegistration>>(
            _sites.Values.OrderBy(s => s.SiteId, StringComparer.Ordinal).Skip(skip).Take(take).ToList());

    public Task<int> CountSitesAsync(CancellationToken ct = default) => Task.FromResult(_sites.Count);

    public Task<bool> TryAddDeviceAsync(DeviceRegistration device, string tokenHash, CancellationToken ct = default)
    {
        lock (_tokenLock)
        {
            if (!_sites.ContainsKey(device.SiteId) || !_devices.TryAdd(device.DeviceId, device)) return Task.FromResult(false);
            _deviceByTokenHash[tokenHash] = device.DeviceId;
            _tokenHashByDevice[device.DeviceId] = tokenHash;
            return Task.FromResult(true);
        }
    }

    public Task<DeviceRegistration?> GetDeviceAsync(string deviceId, CancellationToken ct = default) =>
        Task.FromResult(_devices.GetValueOrDefault(deviceId));

    public Task<IReadOnlyList<DeviceRegistration>> GetDevicesOfSiteAsync(string siteId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<DeviceRegistration>>(
            _devices.Values.Where(d => d.SiteId == siteId).OrderBy(d => d.DeviceId, StringComparer.Ordinal).ToList());

    public Task<DeviceRegistration?> FindByTokenHashAsync(string tokenHash, CancellationToken ct = default) =>
        Task.FromResult(_deviceByTokenHash.TryGetValue(tokenHash, out var id) ? _devices.GetValueOrDefault(id) : null);

    public Task<bool> SetTokenHashAsync(string deviceId, string? tokenHash, CancellationToken ct = default)
    {
        lock (_tokenLock)
        {
            if (!_devices.ContainsKey(deviceId)) return Task.FromResult(false);
            if (_tokenHashByDevice.TryRemove(deviceId, out var old)) _deviceByTokenHash.TryRemove(old, out _);
            if (tokenHash is not null)
            {
                _deviceByTokenHash[tokenHash] = deviceId;
                _tokenHashByDevice[deviceId] = tokenHash;
            }
            return Task.FromResult(true);
        }
    }
}
