using Microsoft.AspNetCore.SignalR;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Sites;
using Vpp.Persistence.ReadModels;

namespace Vpp.Host.Live;

/// <summary>Messages the server pushes to live viewers.</summary>
public interface ILiveClient
{
    Task SiteState(SiteState state);
    Task FleetSummary(FleetSummary summary);
}

public sealed record SiteListItem(string SiteId, string Name);

/// <summary>
/// Live view hub at /hubs/live: a group per site ("site:{id}") and one for the fleet ("fleet").
/// Pushes are batched by <see cref="HubLivePublisher"/>: one message per group per interval.
/// Per-site authorisation arrives with the homeowner dashboards; until then the hub serves the demo page.
/// </summary>
public sealed class LiveHub(IReadModels readModels, IGrainFactory grains) : Hub<ILiveClient>
{
    public const string Path = "/hubs/live";
    public const string FleetGroup = "fleet";
    public static string SiteGroup(string siteId) => "site:" + siteId;

    public async Task<FleetSummary> JoinFleet()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, FleetGroup);
        return await grains.GetGrain<IFleetAggregatorGrain>(IFleetAggregatorGrain.FleetKey).GetSummary();
    }

    public async Task<SiteState> JoinSite(string siteId)
    {
        if (await grains.GetGrain<ISiteGrain>(siteId).GetSettings() is null) throw new HubException($"Unknown site '{siteId}'.");
        await Groups.AddToGroupAsync(Context.ConnectionId, SiteGroup(siteId));
        return await grains.GetGrain<ISiteGrain>(siteId).GetState();
    }

    public Task LeaveSite(string siteId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, SiteGroup(siteId));

    public async Task<IReadOnlyList<SiteListItem>> ListSites()
    {
        var sites = await readModels.ListSitesAsync(0, 500);
        return sites.Items.Select(s => new SiteListItem(s.Id, s.Name)).ToList();
    }
}
