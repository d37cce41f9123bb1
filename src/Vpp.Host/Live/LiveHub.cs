using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Sites;
using Vpp.Host.Accounts;
using Vpp.Host.Hosting;
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
/// Live view hub at /hubs/live, for signed-in users only: a group per site ("site:{id}") and one
/// for the fleet ("fleet"). A homeowner may join only their own site; operators may join any site
/// and the fleet. Refusals are hub errors and are logged. Pushes come from <see cref="LiveHostEndpoint"/>.
/// </summary>
[Authorize]
public sealed class LiveHub(IReadModels readModels, IGrainFactory grains, SiteWatchers watchers, RefusalLog refusals) : Hub<ILiveClient>
{
    public const string Path = "/hubs/live";
    public const string FleetGroup = "fleet";
    public static string SiteGroup(string siteId) => "site:" + siteId;

    public async Task<FleetSummary> JoinFleet()
    {
        if (!Context.User!.IsOperator()) throw Refuse("the fleet");
        await Groups.AddToGroupAsync(Context.ConnectionId, FleetGroup);
        return await grains.GetGrain<IFleetAggregatorGrain>(IFleetAggregatorGrain.FleetKey).GetSummary();
    }

    public async Task<SiteState> JoinSite(string siteId)
    {
        // Access first: a homeowner learns nothing about other sites, not even whether they exist.
        if (!Context.User!.CanAccessSite(siteId)) throw Refuse($"site '{siteId}'");
        // Not a site id at all (empty, too long, other characters): unknown, before any grain is asked.
        if (!Vpp.Contracts.Registrations.Ids.IsValid(siteId)) throw new HubException($"Unknown site '{RefusalLog.Safe(siteId)}'.");
        var site = grains.GetGrain<ISiteGrain>(siteId);
        if (await site.GetSettings() is null) throw new HubException($"Unknown site '{siteId}'.");
        await Groups.AddToGroupAsync(Context.ConnectionId, SiteGroup(siteId));
        watchers.Join(Context.ConnectionId, siteId);
        return await site.GetState();
    }

    public async Task LeaveSite(string siteId)
    {
        if (!Vpp.Contracts.Registrations.Ids.IsValid(siteId)) return;
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, SiteGroup(siteId));
        watchers.Leave(Context.ConnectionId, siteId);
    }

    public async Task<IReadOnlyList<SiteListItem>> ListSites()
    {
        if (!Context.User!.IsOperator())
            return Context.User!.SiteId() is { } own && await grains.GetGrain<ISiteGrain>(own).GetDetails() is { } d
                ? [new SiteListItem(own, d.Site.Name)] : [];
        var sites = await readModels.ListSitesAsync(0, 500);
        return sites.Items.Select(s => new SiteListItem(s.Id, s.Name)).ToList();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        watchers.Disconnected(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    private HubException Refuse(string what)
    {
        refusals.Warn("hub-access", "Refused {User} ({Role}) access to {What} over the live hub", RefusalLog.Safe(Context.User?.Identity?.Name),
            Context.User!.IsOperator() ? VppClaims.Operator : VppClaims.Homeowner, RefusalLog.Safe(what));
        return new HubException($"Access to {what} is not allowed for this account.");
    }
}
