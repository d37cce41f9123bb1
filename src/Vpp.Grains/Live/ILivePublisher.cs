using Vpp.Contracts.Fleet;
using Vpp.Contracts.Sites;

namespace Vpp.Grains.Live;

/// <summary>
/// Where twins put state for live viewers. Grains call it at most once per publish interval per
/// site / fleet; the host's implementation forwards to SignalR groups.
/// </summary>
public interface ILivePublisher
{
    void PublishSite(SiteState state);
    void PublishFleet(FleetSummary summary);
}

public sealed class NullLivePublisher : ILivePublisher
{
    public void PublishSite(SiteState state) { }
    public void PublishFleet(FleetSummary summary) { }
}
