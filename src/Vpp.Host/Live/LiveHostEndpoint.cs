using Microsoft.AspNetCore.SignalR;
using Vpp.Contracts.Live;
using Vpp.Host.Hosting;

namespace Vpp.Host.Live;

/// <summary>
/// This host's live hub as grains see it: batches from any silo arrive here and go to the SignalR
/// groups of the viewers connected to this host. Announced to the live directory (see <see cref="DirectoryAnnouncer"/>).
/// </summary>
public sealed class LiveHostEndpoint(IGrainFactory grains, IClusterMembershipService membership, IHubContext<LiveHub, ILiveClient> hub, ILogger<LiveHostEndpoint> log)
    : BackgroundService, ILiveHost
{
    private ILiveHost? _self;

    public Task Push(LiveBatch batch)
    {
        var sends = new List<Task>(batch.Sites.Count + 1);
        if (batch.Fleet is { } fleet) sends.Add(hub.Clients.Group(LiveHub.FleetGroup).FleetSummary(fleet));
        foreach (var state in batch.Sites) sends.Add(hub.Clients.Group(LiveHub.SiteGroup(state.SiteId)).SiteState(state));
        _ = Task.WhenAll(sends).ContinueWith(t => log.LogWarning(t.Exception, "Live push failed"),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _self = grains.CreateObjectReference<ILiveHost>(this);
        var directory = grains.GetGrain<ILiveDirectoryGrain>(0);
        return DirectoryAnnouncer.RunAsync(() => directory.Announce(_self), membership, log, "live hub", stoppingToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_self is { } self) await DirectoryAnnouncer.WithdrawAsync(() => grains.GetGrain<ILiveDirectoryGrain>(0).Withdraw(self), cancellationToken);
        await base.StopAsync(cancellationToken);
    }
}
