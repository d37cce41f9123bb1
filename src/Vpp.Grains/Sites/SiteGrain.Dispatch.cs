using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Registrations;
using Vpp.Domain.Grid;
using Vpp.Domain.Units;
using Vpp.Grains.Grid;
using Vpp.Grains.Hosting;
using Vpp.Protocol;

namespace Vpp.Grains.Sites;

/// <summary>
/// The site's part in grid balancing: its capability report to the region, its grid trace for
/// baselines, and the setpoints it gives its batteries for the dispatches it carries. While any
/// dispatch runs, each battery's setpoint is its baseline power (what it did when the first one
/// started) plus the site's net share, split over the batteries by their headroom.
/// </summary>
public sealed partial class SiteGrain
{
    private sealed class ActiveDispatch(SiteDispatchOrder order, double? baselineGridKw)
    {
        public SiteDispatchOrder Order { get; set; } = order;
        public double? BaselineGridKw { get; } = baselineGridKw;
        public bool Lost { get; set; }
        public HashSet<string> Commands { get; } = new(StringComparer.Ordinal);
        public double SignedKw => Lost ? 0 : Order.Up ? Order.DeltaKw : -Order.DeltaKw;
    }

    /// <summary>The baselines in force when the site's last dispatch ended.</summary>
    private sealed record Release(Instant At, double? GridKw, Dictionary<string, double> Batteries);

    private readonly Dictionary<string, ActiveDispatch> _dispatches = new(StringComparer.Ordinal);
    private Release? _lastRelease;
    private Dictionary<string, double>? _batteryBaseline;
    private PowerTrace _gridTrace = null!;
    private bool _capabilityDirty = true;

    private GridBalancingOptions Grid => Options.Grid;

    private void CreateGridTrace() =>
        _gridTrace = new PowerTrace(Grid.TraceBucket, Grid.TraceRetention, Options.StaleAfter);

    /// <summary>Called on every meter reading: the trace holds the site's summed grid flow.</summary>
    private void TraceGrid(Instant now) => _gridTrace.Add(now, new Power(MeterGridKw(null)));

    /// <summary>The site's grid flow: the sum of its meters' last readings (only those online at <paramref name="onlineAt"/>, if given).</summary>
    private double MeterGridKw(Instant? onlineAt) => _slots.Values
        .Where(s => s.Registration.Kind == DeviceKind.Meter && s.Last?.GridKw is not null
                    && (onlineAt is not { } now || Devices.DeviceLiveness.Of(s.Connected, s.LastSeen, now, Options.StaleAfter) == DeviceStatus.Online))
        .Sum(s => s.Last!.GridKw!.Value);

    private SiteCapability Capability(Instant now)
    {
        var site = Site!;
        var settings = _stream.State.Settings;
        var batteries = SiteSnapshot.Batteries(_slots.Values, new Domain.Units.Percent(settings.BackupReservePct), now, Options.StaleAfter);
        // While dispatches run, a battery counts at its baseline: the region subtracts what it placed here.
        if (_batteryBaseline is { } baseline)
            batteries = batteries.Select(b => baseline.TryGetValue(b.DeviceId, out var kw) ? b with { Now = new Power(kw) } : b).ToList();
        var grid = MeterGridKw(now);
        var envelopes = _stream.State.Envelopes.Where(e => e.ValidUntil > now)
            .Select(e => new EnvelopeLimit(new Power(e.ImportLimitKw), new Power(e.ExportLimitKw), e.ValidFrom, e.ValidUntil)).ToList();
        return new SiteCapability(site.SiteId, batteries, new Power(grid), envelopes, settings.Participating, settings.ManualOverrideUntil,
            _stream.State.OptedOut.ToHashSet(StringComparer.Ordinal), now);
    }

    // Resolved once per region: GetGrain reflects over the interface on every call.
    private IGridRegionGrain Region(string region)
    {
        if (_region is null || _regionId != region) (_regionId, _region) = (region, GrainFactory.GetGrain<IGridRegionGrain>(region));
        return _region;
    }

    private IGridRegionGrain? _region;
    private string? _regionId;

    private void ReportCapability(Instant now)
    {
        _capabilityDirty = false;
        var c = Capability(now);
        Region(Site!.Region).ReportCapability(new SiteCapabilityReport(
            c.SiteId, now, c.Batteries.Select(b => b.ToReport(_slots.TryGetValue(b.DeviceId, out var s) ? s.Last?.PowerKw ?? 0 : 0)).ToList(), c.Grid.Kw,
            c.Envelopes.Select(e => new OperatingEnvelope(e.Import.Kw, e.Export.Kw, e.ValidFrom, e.ValidUntil)).ToList(),
            c.Participating, c.ManualOverrideUntil, c.OptedOutOf.ToList(), _stream.State.Settings.BackupReservePct)).Ignore();
    }

    public Task<SiteBaseline?> DispatchBaseline(SiteDispatchOrder order)
    {
        if (Site is null) return Task.FromResult<SiteBaseline?>(null);
        var now = clock.GetCurrentInstant();
        var grid = _dispatches.TryGetValue(order.RequestId, out var taken) ? taken.BaselineGridKw : GridBaseline(order, now);
        return Task.FromResult<SiteBaseline?>(new SiteBaseline(grid, BatteryBaseline(Capability(now), now)));
    }

    public async Task<SiteDispatchResult> Dispatch(SiteDispatchOrder order)
    {
        if (Site is null) return new SiteDispatchResult("the site is not registered");
        var now = clock.GetCurrentInstant();
        if (order.EndsAt <= now) return new SiteDispatchResult("the dispatch window has ended");
        if (!double.IsFinite(order.DeltaKw) || order.DeltaKw < 0) return new SiteDispatchResult("the share must be a finite magnitude ≥ 0");
        // The recorded baseline (taken before the setpoints went out): after a restart the batteries may
        // already run this dispatch, so only the recorded one is right.
        if (order.Baseline is { } recorded && !_dispatches.ContainsKey(order.RequestId) && !_dispatches.Values.Any(d => !d.Lost))
            _batteryBaseline ??= new Dictionary<string, double>(recorded.BatteryKw, StringComparer.Ordinal);
        var capability = Capability(now);
        if (Refusal(capability, order.RequestId, now) is { } refusal) return new SiteDispatchResult(refusal);

        if (!_dispatches.TryGetValue(order.RequestId, out var dispatch))
            _dispatches[order.RequestId] = dispatch = new ActiveDispatch(order, order.Baseline is { } b ? b.GridKw : GridBaseline(order, now));
        dispatch.Order = order;
        dispatch.Lost = false;
        var result = await ApplySetpoints(capability, now);
        if (!result.Ok) dispatch.Lost = true;
        _capabilityDirty = true;
        return result.Ok && _batteryBaseline is { } batteries ? result with { Baseline = new SiteBaseline(dispatch.BaselineGridKw, batteries) } : result;
    }

    /// <summary>
    /// Each battery's power without dispatches: kept while a dispatch runs; right after one ended the
    /// batteries still run its setpoints, so the baseline kept then; otherwise what they run now.
    /// </summary>
    private Dictionary<string, double> BatteryBaseline(SiteCapability capability, Instant now)
    {
        var baseline = new Dictionary<string, double>(_batteryBaseline
            ?? (_lastRelease is { } r && r.At > now - Grid.BaselineWindow ? r.Batteries : []), StringComparer.Ordinal);
        foreach (var b in capability.Batteries) baseline.TryAdd(b.DeviceId, b.Now.Kw);
        return baseline;
    }

    /// <summary>
    /// The site's grid flow without dispatches: its mean over the baseline window before the start;
    /// but while another dispatch runs, or one ended within the window (back-to-back market
    /// products), the window would measure that dispatch, so the baseline taken before it carries on.
    /// </summary>
    private double? GridBaseline(SiteDispatchOrder order, Instant now)
    {
        var baselineEnd = Instant.Min(order.StartsAt, now);
        if (_dispatches.Values.FirstOrDefault(d => d.BaselineGridKw is not null) is { } running) return running.BaselineGridKw;
        if (_lastRelease is { GridKw: { } kept } r && r.At > baselineEnd - Grid.BaselineWindow) return kept;
        return _gridTrace.Mean(baselineEnd - Grid.BaselineWindow, baselineEnd, now)?.Kw;
    }

    private static string? Refusal(SiteCapability c, string requestId, Instant now) =>
        c.Refusal(requestId, now) ?? (c.Batteries.Count == 0 ? "no battery is online" : null);

    /// <summary>Gives every battery its setpoint for the dispatches still running; null reason when all went out.</summary>
    private async Task<SiteDispatchResult> ApplySetpoints(SiteCapability capability, Instant now)
    {
        var running = _dispatches.Values.Where(d => !d.Lost && d.Order.EndsAt > now).ToList();
        if (running.Count == 0) return new SiteDispatchResult(null);
        _batteryBaseline = BatteryBaseline(capability, now);

        var net = running.Sum(d => d.SignedKw);
        var until = running.Min(d => d.Order.EndsAt);
        var setpoints = DispatchHeadroom.Setpoints(capability.Batteries, CapabilityMapping.Direction(net), new Power(Math.Abs(net)), until - now);
        var reason = "dispatch " + string.Join(",", running.Select(d => d.Order.RequestId));
        foreach (var (deviceId, power) in setpoints)
        {
            CommandRecord command;
            try
            {
                command = await GrainFactory.GetGrain<IBatteryGrain>(deviceId)
                    .IssueSetpoint(new SetpointRequest(Math.Round(power.Kw, 3), Duration.Max(until - now, Duration.FromSeconds(1)), reason));
            }
            catch (ArgumentOutOfRangeException e)
            {
                return new SiteDispatchResult($"battery {deviceId} refused: {e.Message}");
            }
            if (command.Status == CommandStatus.Pending) return new SiteDispatchResult($"battery {deviceId} is not connected");
            foreach (var d in running) d.Commands.Add(command.CommandId);
        }
        return new SiteDispatchResult(null);
    }

    public Task<SiteDelivery> MeasureDelivery(string requestId, Instant from, Instant to)
    {
        if (!_dispatches.TryGetValue(requestId, out var d)) return Task.FromResult(new SiteDelivery(null, null, 0));
        var now = clock.GetCurrentInstant();
        // Overlapping requests on one site share its measured change in proportion to their shares.
        var same = _dispatches.Values.Where(x => !x.Lost && x.Order.Up == d.Order.Up && x.Order.EndsAt > from).Sum(x => x.Order.DeltaKw);
        var share = d.Lost || same <= 0 ? 1 : d.Order.DeltaKw / same;
        return Task.FromResult(new SiteDelivery(d.BaselineGridKw, _gridTrace.Mean(from, to, now)?.Kw, share));
    }

    public async Task EndDispatch(string requestId, bool early)
    {
        if (!_dispatches.Remove(requestId, out var ended)) return;
        _capabilityDirty = true;
        if (Site is null) return;
        var now = clock.GetCurrentInstant();
        if (_dispatches.Values.Any(d => !d.Lost && d.Order.EndsAt > now))
        {
            await ApplySetpoints(Capability(now), now);
            return;
        }
        await ReleaseBatteries(early, ended.BaselineGridKw);
    }

    /// <summary>
    /// No dispatch left. Setpoints expire by themselves at validUntil; ending early sends each battery
    /// its baseline for one second, after which the device returns to self-consumption.
    /// </summary>
    private async Task ReleaseBatteries(bool early, double? gridBaseline = null)
    {
        var baseline = _batteryBaseline;
        _batteryBaseline = null;
        if (baseline is not null) _lastRelease = new Release(clock.GetCurrentInstant(), gridBaseline, baseline);
        if (!early || baseline is null) return;
        foreach (var (deviceId, kw) in baseline)
        {
            try
            {
                await GrainFactory.GetGrain<IBatteryGrain>(deviceId).IssueSetpoint(new SetpointRequest(kw, Duration.FromSeconds(1), "dispatch ended early"));
            }
            catch (ArgumentOutOfRangeException)
            {
                // The baseline is no longer allowed (e.g. reserve reached): the old setpoint still expires on time.
            }
        }
    }

    /// <summary>Dispatches whose grain never said they ended (e.g. it crashed) are forgotten an hour after their window.</summary>
    private void ForgetStaleDispatches(Instant now)
    {
        foreach (var id in _dispatches.Where(d => d.Value.Order.EndsAt + Duration.FromHours(1) < now).Select(d => d.Key).ToList()) _dispatches.Remove(id);
        if (!_dispatches.Values.Any(d => !d.Lost && d.Order.EndsAt > now)) _batteryBaseline = null;
    }

    public Task SetpointFailed(string deviceId, string commandId, string reason)
    {
        foreach (var d in _dispatches.Values.Where(d => !d.Lost && d.Commands.Contains(commandId))) Lose(d, $"battery {deviceId}: {reason}");
        return Task.CompletedTask;
    }

    private void BatteryDisconnected(string deviceId)
    {
        if (_batteryBaseline?.ContainsKey(deviceId) != true) return;
        foreach (var d in _dispatches.Values.Where(d => !d.Lost)) Lose(d, $"battery {deviceId} disconnected");
    }

    private void Lose(ActiveDispatch d, string reason)
    {
        d.Lost = true;
        _capabilityDirty = true;
        GrainFactory.GetGrain<IDispatchGrain>(d.Order.RequestId).SiteLost(this.GetPrimaryKeyString(), reason).Ignore();
    }

    public async Task<SiteSettings> OptOut(string requestId, string changedBy)
    {
        if (Site is null) throw new InvalidOperationException($"No site '{this.GetPrimaryKeyString()}' is registered.");
        await _stream.ExecuteAsync(s => s.OptOut(requestId, changedBy, clock.GetCurrentInstant()));
        _capabilityDirty = true;
        if (_dispatches.TryGetValue(requestId, out var d) && !d.Lost)
        {
            Lose(d, "the homeowner opted out");
            var now = clock.GetCurrentInstant();
            if (_dispatches.Values.Any(x => !x.Lost && x.Order.EndsAt > now)) await ApplySetpoints(Capability(now), now);
            else await ReleaseBatteries(early: true);
        }
        return _stream.State.Settings;
    }
}
