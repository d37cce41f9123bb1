using Vpp.Contracts.Fleet;
using Vpp.Contracts.Sites;

namespace Vpp.Contracts.Live;

/// <summary>What one silo's live publisher forwards to every host in one flush.</summary>
[GenerateSerializer, Immutable, Alias("vpp.LiveBatch")]
public sealed record LiveBatch(
    [property: Id(0)] IReadOnlyList<SiteState> Sites,
    [property: Id(1)] FleetSummary? Fleet);

/// <summary>
/// A host's live hub as grains see it (the hub-list pattern): the SignalR connections of viewers are
/// on whichever host they reached, the twins on whichever silo; every silo's publisher sends its
/// batch to every host, and each host pushes to its own viewers' groups.
/// </summary>
[Alias("vpp.ILiveHost")]
public interface ILiveHost : IGrainObserver
{
    [OneWay, Alias("Push")]
    Task Push(LiveBatch batch);
}

/// <summary>Where hosts announce their live hubs (key 0). Entries not renewed within 90 s are dropped.</summary>
[Alias("vpp.ILiveDirectoryGrain")]
public interface ILiveDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Announce")]
    Task Announce(ILiveHost host);

    [Alias("Withdraw")]
    Task Withdraw(ILiveHost host);

    [Alias("List")]
    Task<IReadOnlyList<ILiveHost>> List();
}
