using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Sites;
using Vpp.Grains.Hosting;
using Vpp.Grains.Live;
using Vpp.Persistence.ReadModels;

namespace Vpp.Grains.Fleet;

/// <summary>
/// Fleet sums from site reports. Sites report on significant change or every few seconds, so the
/// load here scales with sites, not with telemetry. Registered sites that never reported count as offline.
/// </summary>
public sealed class FleetAggregatorGrain(IReadModels readModels, IClock clock, IOptions<TwinOptions> options, ILivePublisher live)
    : Grain, IFleetAggregatorGrain
{
    private readonly Dictionary<string, SiteReport> _sites = new(StringComparer.Ordinal);
    private bool _dirty = true;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = options.Value.PublishInterval.ToTimeSpan();
        this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions { DueTime = period, Period = period, Interleave = true, KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task ReportSite(SiteReport report)
    {
        // Reports are one-way and can arrive out of order; keep the newest.
        if (!_sites.TryGetValue(report.SiteId, out var known) || known.At <= report.At)
        {
            _sites[report.SiteId] = report;
            _dirty = true;
        }
        return Task.CompletedTask;
    }

    public async Task<FleetSummary> GetSummary() => Summarise(await readModels.CountSitesAsync());

    private async Task Tick(CancellationToken ct)
    {
        if (!_dirty) return;
        _dirty = false;
        live.PublishFleet(Summarise(await readModels.CountSitesAsync(ct)));
    }

    private FleetSummary Summarise(long registeredSites)
    {
        int online = 0, stale = 0;
        double stored = 0, up = 0, down = 0, pv = 0, load = 0, grid = 0, battery = 0;
        foreach (var s in _sites.Values)
        {
            if (s.Status == SiteStatus.Online) online++;
            else if (s.Status == SiteStatus.Stale) stale++;
            if (s.Status == SiteStatus.Offline) continue;
            stored += s.StoredKwh;
            up += s.UpKw;
            down += s.DownKw;
            pv += s.PvKw;
            load += s.LoadKw;
            grid += s.GridKw;
            battery += s.BatteryKw;
        }
        var total = (int)Math.Max(registeredSites, _sites.Count);
        return new FleetSummary(clock.GetCurrentInstant(), total, online, stale, total - online - stale,
            stored, up, down, pv, load, grid, battery);
    }
}
