using Vpp.Contracts.Devices;
using Vpp.Protocol;

namespace Vpp.Contracts.Sites;

/// <summary>The digital twin of one home; key = siteId. Devices report to it; it reports to the fleet.</summary>
[Alias("vpp.ISiteGrain")]
public interface ISiteGrain : IGrainWithStringKey
{
    /// <summary>Re-reads the site's registration (devices, reserve, time zone) after a change.</summary>
    [Alias("Refresh")]
    Task Refresh();

    [OneWay, Alias("DeviceReported")]
    Task DeviceReported(string deviceId, DeviceKind kind, TelemetryReading reading);

    [OneWay, Alias("DeviceConnectionChanged")]
    Task DeviceConnectionChanged(string deviceId, bool connected);

    [Alias("GetState")]
    Task<SiteState> GetState();
}
