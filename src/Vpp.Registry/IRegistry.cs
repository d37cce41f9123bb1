namespace Vpp.Registry;

/// <summary>
/// The store seam for registrations. Implementations must make a token change visible to every
/// host: the gateway asks on every upgrade.
/// </summary>
public interface IRegistry
{
    /// <summary>False if a site with that id exists.</summary>
    Task<bool> TryAddSiteAsync(SiteRegistration site, CancellationToken ct = default);
    Task<SiteRegistration?> GetSiteAsync(string siteId, CancellationToken ct = default);
    Task<IReadOnlyList<SiteRegistration>> ListSitesAsync(int skip, int take, CancellationToken ct = default);
    Task<int> CountSitesAsync(CancellationToken ct = default);

    /// <summary>False if a device with that id exists anywhere.</summary>
    Task<bool> TryAddDeviceAsync(DeviceRegistration device, string tokenHash, CancellationToken ct = default);
    Task<DeviceRegistration?> GetDeviceAsync(string deviceId, CancellationToken ct = default);
    Task<IReadOnlyList<DeviceRegistration>> GetDevicesOfSiteAsync(string siteId, CancellationToken ct = default);

    /// <summary>The device a token belongs to, or null for an unknown, rotated or revoked token.</summary>
    Task<DeviceRegistration?> FindByTokenHashAsync(string tokenHash, CancellationToken ct = default);

    /// <summary>Replaces the device's token hash; null revokes it. False if the device is unknown.</summary>
    Task<bool> SetTokenHashAsync(string deviceId, string? tokenHash, CancellationToken ct = default);
}
