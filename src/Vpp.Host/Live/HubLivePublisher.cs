using System.Collections.Concurrent;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Live;
using Vpp.Contracts.Sites;
using Vpp.Grains.Live;

namespace Vpp.Host.Live;

/// <summary>
/// The silo side of live viewing. Coalesces what this silo's twins publish and, on a fixed beat,
/// sends one batch to every host's live hub (<see cref="ILiveDirectoryGrain"/>), since a viewer may
/// be connected to any host. Sites go out every <see cref="SiteFlushInterval"/>; the fleet summary
/// at most every <see cref="FleetInterval"/>, so no viewer gets more than 2 fleet messages a second.
/// Grains never wait on this.
/// </summary>
public sealed class HubLivePublisher(IGrainFactory grains, ILogger<HubLivePublisher> log) : BackgroundService, ILivePublisher
{
    public static readonly TimeSpan SiteFlushInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan FleetInterval = TimeSpan.FromMilliseconds(500);
    /// <summary>A host that has just announced itself gets pushes within this time.</summary>
    private static readonly TimeSpan HostListRefresh = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, SiteState> _sites = new(StringComparer.Ordinal);
    private FleetSummary? _fleet;
    private IReadOnlyList<ILiveHost> _hosts = [];
    private long _hostsAtMs = long.MinValue / 2;
    private long _lastFleetTicks;

    public void PublishSite(SiteState state) => _sites[state.SiteId] = state;
    public void PublishFleet(FleetSummary summary) => Volatile.Write(ref _fleet, summary);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SiteFlushInterval);
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
        var sites = new List<SiteState>(_sites.Count);
        foreach (var siteId in _sites.Keys)
            if (_sites.TryRemove(siteId, out var state)) sites.Add(state);
        FleetSummary? fleet = null;
        var now = Environment.TickCount64;
        if (now - _lastFleetTicks >= FleetInterval.TotalMilliseconds && Interlocked.Exchange(ref _fleet, null) is { } f)
        {
            fleet = f;
            _lastFleetTicks = now;
        }
        if (sites.Count == 0 && fleet is null) return;

        var batch = new LiveBatch(sites, fleet);
        foreach (var host in await HostsAsync()) host.Push(batch).Ignore();
    }

    private async Task<IReadOnlyList<ILiveHost>> HostsAsync()
    {
        if (Environment.TickCount64 - _hostsAtMs < HostListRefresh.TotalMilliseconds && _hosts.Count > 0) return _hosts;
        _hosts = await grains.GetGrain<ILiveDirectoryGrain>(0).List();
        _hostsAtMs = Environment.TickCount64;
        return _hosts;
    }
}
