using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Sites;
using Vpp.Grains.Hosting;
using Vpp.Grains.Live;
using Vpp.Protocol;
using Vpp.Registry;

namespace Vpp.Grains.Sites;

/// <summary>
/// Twin of a home. Devices push readings here; a timer publishes live state at most once per
/// publish interval and reports to the fleet on significant change or every few seconds, so
/// the aggregator never sees per-reading traffic.
/// </summary>
public sealed class SiteGrain(IRegistry registry, IClock clock, IOptions<TwinOptions> options, ILivePublisher live)
    : Grain, ISiteGrain
{
    private readonly Dictionary<string, DeviceSlot> _slots = new(StringComparer.Ordinal);
    private SiteRegistration? _site;
    private bool _dirty = true;
    private SiteReport? _lastReport;

    private TwinOptions Options => options.Value;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Load(cancellationToken);
        this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions
        {
            DueTime = Options.PublishInterval.ToTimeSpan(),
            Period = Options.PublishInterval.ToTimeSpan(),
            Interleave = true,
        });
    }

    private async Task Load(CancellationToken ct)
    {
        var id = this.GetPrimaryKeyString();
        _site = await registry.GetSiteAsync(id, ct);
        foreach (var device in await registry.GetDevicesOfSiteAsync(id, ct))
        {
            if (_slots.TryGetValue(device.DeviceId, out var slot)) slot.Registration = device;
            else _slots[device.DeviceId] = new DeviceSlot(device);
        }
        _dirty = true;
    }

    public Task Refresh() => Load(CancellationToken.None);

    public Task DeviceReported(string deviceId, DeviceKind kind, TelemetryReading reading)
    {
        if (!_slots.TryGetValue(deviceId, out var slot)) return Task.CompletedTask;
        slot.Last = reading;
        slot.LastSeen = clock.GetCurrentInstant();
        _dirty = true;
        return Task.CompletedTask;
    }

    public Task DeviceConnectionChanged(string deviceId, bool connected)
    {
        if (_slots.TryGetValue(deviceId, out var slot))
        {
            slot.Connected = connected;
            _dirty = true;
        }
        return Task.CompletedTask;
    }

    public Task<SiteState> GetState() => Task.FromResult(Compute());

    private SiteState Compute()
    {
        var site = _site ?? throw new InvalidOperationException($"Site '{this.GetPrimaryKeyString()}' is not registered.");
        return SiteSnapshot.Compute(site, _slots.Values, clock.GetCurrentInstant(), Options.StaleAfter);
    }

    private Task Tick(CancellationToken ct)
    {
        if (_site is null) return Task.CompletedTask;
        var state = Compute();
        var report = SiteSnapshot.ToReport(state);
        // Liveness changes with time alone (a silent device turns stale), so compare, not only _dirty.
        var statusChanged = _lastReport is null || _lastReport.Status != report.Status;
        if (_dirty || statusChanged) live.PublishSite(state);
        _dirty = false;

        if (_lastReport is null
            || statusChanged
            || report.At - _lastReport.At >= Options.SiteReportInterval
            || SiteSnapshot.SignificantlyDifferent(report, _lastReport, Options.SignificantChangeKw))
        {
            _lastReport = report;
            GrainFactory.GetGrain<IFleetAggregatorGrain>(IFleetAggregatorGrain.FleetKey).ReportSite(report).Ignore();
        }
        return Task.CompletedTask;
    }
}
