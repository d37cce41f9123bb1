using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Fleet;
using Vpp.Contracts.Registrations;
using Vpp.Contracts.Sites;
using Vpp.Grains.EventSourcing;
using Vpp.Grains.Hosting;
using Vpp.Grains.Live;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;
using Vpp.Protocol;

namespace Vpp.Grains.Sites;

/// <summary>
/// Twin of a home and sole writer of its stream. Devices push readings here; a timer publishes
/// live state at most once per publish interval and reports to the fleet on significant change or
/// every few seconds, so the aggregator never sees per-reading traffic.
/// </summary>
public sealed partial class SiteGrain(IEventStore store, IClock clock, IOptions<TwinOptions> options, ILivePublisher live)
    : Grain, ISiteGrain
{
    private readonly Dictionary<string, DeviceSlot> _slots = new(StringComparer.Ordinal);
    private EventSourcedStream<SiteAggregate> _stream = null!;
    private bool _dirty = true;
    private SiteReport? _lastReport;
    /// <summary>Live state is published only while a viewer watches (hosts renew the lease).</summary>
    private Instant _watchedUntil = Instant.MinValue;
    private Instant _lastPublished = Instant.MinValue;
    private IGrainTimer? _livePending;
    private IGrainTimer? _timer;

    private TwinOptions Options => options.Value;
    private SiteRegistration? Site => _stream.State.Site;
    private IFleetAggregatorGrain? _fleet;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = new EventSourcedStream<SiteAggregate>(store, StreamKeys.Site(this.GetPrimaryKeyString()));
        CreateGridTrace();
        await _stream.LoadAsync(cancellationToken);
        SyncSlots();
        if (Site is not null) StartTimer();
    }

    private void StartTimer() => _timer ??= this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions
    {
        DueTime = Options.PublishInterval.ToTimeSpan(),
        Period = Options.PublishInterval.ToTimeSpan(),
        Interleave = true,
    });

    private void SyncSlots()
    {
        foreach (var device in _stream.State.Devices)
        {
            if (_slots.TryGetValue(device.DeviceId, out var slot)) slot.Registration = device;
            else _slots[device.DeviceId] = new DeviceSlot(device);
        }
        _dirty = true;
    }

    public async Task<RegisterOutcome> Register(SiteRegistration site)
    {
        if (Site is not null) return RegisterOutcome.AlreadyExists;
        var events = await _stream.ExecuteAsync(s => s.Register(site));
        if (events.Count == 0) return RegisterOutcome.AlreadyExists;
        StartTimer();
        return RegisterOutcome.Registered;
    }

    public async Task<RegisterOutcome> AddDevice(DeviceRegistration device, string tokenHash)
    {
        if (Site is null) return RegisterOutcome.SiteNotFound;
        if (_slots.ContainsKey(device.DeviceId)) return RegisterOutcome.AlreadyExists;
        // The device's stream first: its id is unique across all sites, and that stream decides it.
        var outcome = await DeviceGrains.Get(GrainFactory, device.Kind, device.DeviceId).Register(device, tokenHash);
        if (outcome != RegisterOutcome.Registered) return outcome;
        await _stream.ExecuteAsync(s => s.AddDevice(device));
        SyncSlots();
        return RegisterOutcome.Registered;
    }

    public Task<SiteDetails?> GetDetails() => Task.FromResult(Site is null ? null
        : new SiteDetails(Site, _stream.State.Settings, _stream.State.Devices.ToList()));

    public Task<SiteSettings?> GetSettings() => Task.FromResult(Site is null ? null : _stream.State.Settings);

    public Task<SiteSettings> ChangePreferences(double backupReservePct, bool participating, string changedBy) =>
        ChangeSettings(s => s.ChangePreferences(backupReservePct, participating, changedBy, clock.GetCurrentInstant()));

    public Task<SiteSettings> SetManualOverride(Instant until, string reason, string changedBy) =>
        ChangeSettings(s => s.SetOverride(until, reason, changedBy, clock.GetCurrentInstant()));

    public Task<SiteSettings> ClearManualOverride(string changedBy) =>
        ChangeSettings(s => s.ClearOverride(changedBy, clock.GetCurrentInstant()));

    private async Task<SiteSettings> ChangeSettings(Func<SiteAggregate, IReadOnlyList<object>> decide)
    {
        if (Site is null) throw new InvalidOperationException($"No site '{this.GetPrimaryKeyString()}' is registered.");
        var events = await _stream.ExecuteAsync(decide);
        var settings = _stream.State.Settings;
        if (events.Count > 0)
        {
            _dirty = true;
            _capabilityDirty = true;
            foreach (var battery in _stream.State.Devices.Where(d => d.Kind == DeviceKind.Battery))
                GrainFactory.GetGrain<IBatteryGrain>(battery.DeviceId).SiteSettingsChanged(settings).Ignore();
        }
        return settings;
    }

    public async Task<bool> SetOperatingEnvelope(Contracts.Grid.OperatingEnvelope e, string sourceEventId)
    {
        if (Site is null) throw new InvalidOperationException($"No site '{this.GetPrimaryKeyString()}' is registered.");
        var events = await _stream.ExecuteAsync(s =>
            s.SetEnvelope(e.ImportLimitKw, e.ExportLimitKw, e.ValidFrom, e.ValidUntil, sourceEventId, clock.GetCurrentInstant()));
        if (events.Count > 0) _capabilityDirty = true;
        return events.Count > 0;
    }

    public Task<IReadOnlyList<Contracts.Grid.OperatingEnvelope>> GetOperatingEnvelopes()
    {
        var now = clock.GetCurrentInstant();
        return Task.FromResult<IReadOnlyList<Contracts.Grid.OperatingEnvelope>>(_stream.State.Envelopes
            .Where(x => x.ValidUntil > now)
            .Select(x => new Contracts.Grid.OperatingEnvelope(x.ImportLimitKw, x.ExportLimitKw, x.ValidFrom, x.ValidUntil)).ToList());
    }

    public Task DeviceReported(string deviceId, DeviceKind kind, TelemetryReading reading)
    {
        if (!_slots.TryGetValue(deviceId, out var slot)) return Task.CompletedTask;
        slot.Last = reading;
        slot.LastSeen = clock.GetCurrentInstant();
        _dirty = true;
        if (kind == DeviceKind.Meter) TraceGrid(slot.LastSeen.Value);
        if (slot.LastSeen.Value < _watchedUntil) ScheduleLive(slot.LastSeen.Value);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A watched site shows a reading soon: after a short pause that gathers the readings its devices
    /// send together, and at most once per LiveSpacing.
    /// </summary>
    private void ScheduleLive(Instant now)
    {
        if (_livePending is not null) return;
        var due = Duration.Max(Options.LiveCoalesce, _lastPublished + Options.LiveSpacing - now);
        _livePending = this.RegisterGrainTimer(_ =>
        {
            _livePending?.Dispose();
            _livePending = null;
            if (clock.GetCurrentInstant() < _watchedUntil) PublishLive(Compute());
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions { DueTime = due.ToTimeSpan(), Period = Timeout.InfiniteTimeSpan, Interleave = true });
    }

    public async Task<bool> CreditEarnings(string settlementId, SiteEarning e)
    {
        if (Site is null) throw new InvalidOperationException($"No site '{this.GetPrimaryKeyString()}' is registered.");
        var before = _stream.State.Settlements;
        await _stream.ExecuteAsync(s => s.CreditEarnings(settlementId, e.Market, e.DeliveryStart, e.DeliveryEnd, e.DeliveredKwh, e.Eur, clock.GetCurrentInstant()));
        return _stream.State.Settlements > before;
    }

    public Task<SiteEarnings> GetEarnings()
    {
        var s = _stream.State;
        return Task.FromResult(new SiteEarnings(s.EarnedEur, s.EarnedDeliveredKwh, s.Settlements,
            s.LatestEarnings.AsEnumerable().Reverse().Select(c => new SiteEarning(c.Market, c.DeliveryStart, c.DeliveryEnd, c.DeliveredKwh, c.Eur, c.At)).ToList()));
    }

    public Task<IReadOnlyList<string>> GetOptedOut() => Task.FromResult<IReadOnlyList<string>>(_stream.State.OptedOut.ToList());

    public Task Watch()
    {
        if (Site is null) return Task.CompletedTask;
        var now = clock.GetCurrentInstant();
        var firstViewer = now >= _watchedUntil;
        _watchedUntil = now + Options.WatchLease;
        if (firstViewer) PublishLive(Compute());
        return Task.CompletedTask;
    }

    private void PublishLive(SiteState state)
    {
        live.PublishSite(state);
        _lastPublished = state.At;
        _dirty = false;
    }

    public Task DeviceConnectionChanged(string deviceId, bool connected)
    {
        if (_slots.TryGetValue(deviceId, out var slot))
        {
            slot.Connected = connected;
            _dirty = true;
            _capabilityDirty = true;
            if (!connected && slot.Registration.Kind == DeviceKind.Battery) BatteryDisconnected(deviceId);
        }
        return Task.CompletedTask;
    }

    public Task<SiteState> GetState() => Task.FromResult(Compute());

    private SiteState Compute()
    {
        var site = Site ?? throw new InvalidOperationException($"Site '{this.GetPrimaryKeyString()}' is not registered.");
        return SiteSnapshot.Compute(site, _slots.Values, clock.GetCurrentInstant(), Options.StaleAfter);
    }

    private Task Tick(CancellationToken ct)
    {
        if (Site is null) return Task.CompletedTask;
        var state = Compute();
        var report = SiteSnapshot.ToReport(state);
        // Liveness changes with time alone (a silent device turns stale), so compare, not only _dirty.
        var statusChanged = _lastReport is null || _lastReport.Status != report.Status;
        // Through the same schedule as readings, so live pushes keep their spacing whatever caused them.
        if ((_dirty || statusChanged) && state.At < _watchedUntil) ScheduleLive(state.At);
        _dirty = false;

        if (_lastReport is null
            || statusChanged
            || report.At - _lastReport.At >= Options.SiteReportInterval
            || SiteSnapshot.SignificantlyDifferent(report, _lastReport, Options.SignificantChangeKw))
        {
            _lastReport = report;
            (_fleet ??= GrainFactory.GetGrain<IFleetAggregatorGrain>(IFleetAggregatorGrain.FleetKey)).ReportSite(report).Ignore();
            _capabilityDirty = true;
        }
        if (_capabilityDirty)
        {
            ForgetStaleDispatches(report.At);
            ReportCapability(report.At);
        }
        return Task.CompletedTask;
    }
}
