using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Sites;
using Vpp.Grains.Live;

namespace Vpp.Host.Live;

/// <summary>
/// Coalesces what grains publish and flushes it to SignalR groups on a fixed beat: at most one
/// message per group per flush, whatever the telemetry rate. Grains never wait on SignalR.
/// </summary>
public sealed class HubLivePublisher(IHubContext<LiveHub, ILiveClient> hub, ILogger<HubLivePublisher> log)
    : BackgroundService, ILivePublisher
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<string, SiteState> _sites = new(StringComparer.Ordinal);
    private FleetSummary? _fleet;

    public void PublishSite(SiteState state) => _sites[state.SiteId] = state;
    public void PublishFleet(FleetSummary summary) => Volatile.Write(ref _fleet, summary);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await FlushAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Live flush failed");
            }
        }
    }

    private async Task FlushAsync()
    {
        if (Interlocked.Exchange(ref _fleet, null) is { } fleet)
            await hub.Clients.Group(LiveHub.FleetGroup).FleetSummary(fleet);
        foreach (var siteId in _sites.Keys)
        {
            if (_sites.TryRemove(siteId, out var state))
                await hub.Clients.Group(LiveHub.SiteGroup(siteId)).SiteState(state);
        }
    }
}
