using NodaTime;
using Vpp.Contracts.Devices;
using Vpp.Contracts.Grid;
using Vpp.Domain.Grid;
using Vpp.Domain.Units;
using Vpp.Grains.EventSourcing;
using Vpp.Grains.Hosting;
using Vpp.Persistence.Events;

namespace Vpp.Grains.Grid;

/// <summary>A region's frequency-response commitment and its recent battery baseline, folded from its stream.</summary>
public sealed class RegionAggregate : IAggregate
{
    public FrequencyResponseCommitted? Commitment { get; set; }
    /// <summary>The completed baseline quarter-hours within <see cref="FleetBaselineHistory.Retention"/> of the latest.</summary>
    public List<RegionBaselineRecorded> Baseline { get; set; } = [];

    public void Apply(object e)
    {
        switch (e)
        {
            case FrequencyResponseCommitted c:
                Commitment = c.Batteries.Count > 0 ? c : null;
                break;
            case RegionBaselineRecorded b:
                Baseline.RemoveAll(q => q.QuarterStart == b.QuarterStart || q.QuarterStart < b.QuarterStart - FleetBaselineHistory.Retention);
                Baseline.Add(b);
                break;
        }
    }
}

/// <summary>
/// Frequency response for the region. The commitment is shared over batteries by what each can
/// sustain for 15 minutes both ways and held back from dispatch. Local mode hands each battery its
/// droop parameters; central mode turns every frequency signal outside the deadband into setpoints
/// at once (no event per device on that path: the region records the activation after sending).
/// While the frequency is quiet, committed batteries are steered back into their SoC window.
/// </summary>
public sealed partial class GridRegionGrain
{

    private EventSourcedStream<RegionAggregate> _stream = null!;
    private double _responseKw;
    private double _persistedResponseKw;
    private Instant _responseSentAt;
    private IGrainTimer? _socTimer;
    private Dictionary<string, double>? _centralBase;
    private IReadOnlyList<IDeviceGateway> _gateways = [];
    private Instant _gatewaysAt;

    private GridBalancingOptions Grid => options.Value.Grid;
    private FrequencyResponseCommitted? Commitment => _stream.State.Commitment is { } c && c.Until > clock.GetCurrentInstant() ? c : null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A snapshot a day: the baseline adds 96 events a day.
        _stream = new EventSourcedStream<RegionAggregate>(store, StreamKeys.Region(this.GetPrimaryKeyString()), snapshotEvery: 96);
        await _stream.LoadAsync(cancellationToken);
        var now = clock.GetCurrentInstant();
        foreach (var q in _stream.State.Baseline) _baseline.Restore(q.QuarterStart, q.MeanKw, q.Samples, now);
        if (Commitment is not null) StartSocTimer();
        GrainFactory.GetGrain<IRegionDirectoryGrain>(0).Announce(this.GetPrimaryKeyString()).Ignore();
    }

    /// <summary>A site's batteries with their frequency-response commitment held back.</summary>
    private SiteCapability Held(SiteCapability site) =>
        Commitment is not { } c ? site
            : site with { Batteries = site.Batteries.Select(b => FrequencyReserve.Hold(b, new Power(c.Batteries.GetValueOrDefault(b.DeviceId)))).ToList() };

    public async Task<FrequencyResponseView> CommitFrequencyResponse(double committedKw, FrequencyResponseMode mode, Instant until, string changedBy)
    {
        var now = clock.GetCurrentInstant();
        if (!double.IsFinite(committedKw) || committedKw < 0) throw new ArgumentOutOfRangeException(nameof(committedKw), "committedKw must be a finite number ≥ 0.");
        if (committedKw > 0 && until <= now) throw new ArgumentOutOfRangeException(nameof(until), "until must be in the future.");

        var previous = Commitment;
        // Sized on the batteries as they are without dispatch (sites report at baseline), within envelopes and homeowner choices.
        var assigned = (committedKw > 0 ? FrequencyReserve.Assign(new Power(committedKw), _sites.Values.ToList(), now, until) : new Dictionary<string, Power>())
            .Where(a => a.Value.Kw > 0).ToDictionary(a => a.Key, a => Math.Round(a.Value.Kw, 3), StringComparer.Ordinal);
        var total = assigned.Values.Sum();
        await _stream.ExecuteAsync(_ => [new FrequencyResponseCommitted(this.GetPrimaryKeyString(), mode.ToString(), committedKw, assigned, until, changedBy, now)]);

        // Local droop: assign the new parameters and end them where they no longer apply.
        var ends = previous is { Mode: nameof(FrequencyResponseMode.Local) }
            ? previous.Batteries.Keys.Where(id => mode != FrequencyResponseMode.Local || !assigned.ContainsKey(id)).ToList()
            : [];
        var calls = ends.Select(id => GrainFactory.GetGrain<IBatteryGrain>(id).AssignDroop(0, now)).ToList();
        if (mode == FrequencyResponseMode.Local)
            calls.AddRange(assigned.Select(a => GrainFactory.GetGrain<IBatteryGrain>(a.Key).AssignDroop(a.Value, until)));
        await Task.WhenAll(calls);
        if (previous is { Mode: nameof(FrequencyResponseMode.Central) } && _responseKw != 0) await StopCentralResponse(previous);

        if (assigned.Count > 0) StartSocTimer();
        return View(total < committedKw - 1e-3 ? $"the region's batteries can sustain {total:0.###} kW for 15 minutes both ways within their envelopes" : null);
    }

    public Task<FrequencyResponseView> GetFrequencyResponse() => Task.FromResult(View(null));

    private FrequencyResponseView View(string? reason)
    {
        var c = Commitment;
        return new FrequencyResponseView(this.GetPrimaryKeyString(),
            c is null ? FrequencyResponseMode.Local : Enum.Parse<FrequencyResponseMode>(c.Mode),
            c?.RequestedKw ?? 0, c?.Batteries.Values.Sum() ?? 0, c?.Batteries.Count ?? 0, c?.Until, _responseKw, _latest?.Hz, reason,
            (c?.Batteries ?? []).Where(b => _batteries.ContainsKey(b.Key)).GroupBy(b => _batteries[b.Key].SiteId)
                .ToDictionary(g => g.Key, g => g.Sum(b => b.Value), StringComparer.Ordinal));
    }

    /// <summary>
    /// Central mode: droop per committed battery for this frequency, on top of the power each ran when
    /// the excursion began, within its limits; sent when it moved or needs renewing, as one message per
    /// host gateway (no grain hop per device on this path).
    /// </summary>
    private async Task RespondCentrally(FrequencyReading reading)
    {
        if (Commitment is not { Mode: nameof(FrequencyResponseMode.Central) } c) return;
        var now = clock.GetCurrentInstant();
        var committed = c.Batteries.Values.Sum();
        var responses = new List<(string DeviceId, double Kw)>(c.Batteries.Count);
        var total = 0.0;
        foreach (var (deviceId, kw) in c.Batteries)
        {
            var r = (DroopSettings.Standard with { Committed = new Power(kw) }).Response(reading.Hz).Kw;
            responses.Add((deviceId, r));
            total += r;
        }
        var moved = Math.Abs(total - _responseKw) >= Math.Max(1e-6, 0.01 * committed);
        var renew = total != 0 && now - _responseSentAt >= Grid.CentralResponseValidity / 2;
        if (!moved && !renew) return;

        if (_responseKw == 0 && total != 0)
            _centralBase = c.Batteries.Keys.ToDictionary(id => id, id => _batteries.TryGetValue(id, out var b) ? b.PresentKw : 0, StringComparer.Ordinal);
        await SendFrames(responses, total == 0 ? now + Duration.FromSeconds(1) : now + Grid.CentralResponseValidity, now, reading.ReceivedAt);
        if (total == 0) _centralBase = null;
        _responseKw = total;
        _responseSentAt = now;

        // Recorded after sending: the grid needs the response first; the decision follows within milliseconds.
        if ((_persistedResponseKw == 0) != (total == 0) || Math.Abs(total - _persistedResponseKw) >= 0.1 * committed)
        {
            _persistedResponseKw = total;
            await _stream.ExecuteAsync(_ => [new FrequencyResponseActivated(this.GetPrimaryKeyString(), reading.Hz, total, now)]);
        }
    }

    /// <summary>
    /// Each battery runs at its base + response, clamped to its inverter limits, with the home's reserve
    /// as minSocPct (the device stops discharging there). A response of 0 sends the base for a second,
    /// after which the device returns to self-consumption. Sites the homeowner keeps out get nothing.
    /// </summary>
    private async Task SendFrames(IReadOnlyList<(string DeviceId, double Kw)> responses, Instant validUntil, Instant now, Instant? signalReceivedAt = null)
    {
        var frames = new List<CentralFrame>(responses.Count);
        foreach (var (deviceId, kw) in responses)
        {
            if (!_batteries.TryGetValue(deviceId, out var b) || !_sites.TryGetValue(b.SiteId, out var site) || !site.Allows("frequency-response", now)) continue;
            var basis = _centralBase?.GetValueOrDefault(deviceId) ?? b.PresentKw;
            var power = Math.Clamp(basis + kw, -b.MaxChargeKw, b.MaxDischargeKw);
            if (power > 0 && b.UpKwh <= 0) power = 0; // at the reserve: no discharge
            frames.Add(new CentralFrame(deviceId, Math.Round(power, 3), b.ReservePct));
        }
        var batch = new CentralFrames(this.GetPrimaryKeyString(), validUntil, frames.ToArray(), signalReceivedAt);
        foreach (var gateway in await Gateways()) gateway.SendCentralResponse(batch).Ignore();
    }

    private async Task<IReadOnlyList<IDeviceGateway>> Gateways()
    {
        var now = clock.GetCurrentInstant();
        if (_gateways.Count == 0 || now - _gatewaysAt > Duration.FromSeconds(30))
        {
            _gateways = await GrainFactory.GetGrain<IGatewayDirectoryGrain>(0).List();
            _gatewaysAt = now;
        }
        return _gateways;
    }

    private async Task StopCentralResponse(FrequencyResponseCommitted previous)
    {
        var now = clock.GetCurrentInstant();
        await SendFrames(previous.Batteries.Keys.Select(id => (id, 0.0)).ToList(), now + Duration.FromSeconds(1), now);
        _centralBase = null;
        _responseKw = 0;
        _persistedResponseKw = 0;
        await _stream.ExecuteAsync(_ => [new FrequencyResponseActivated(this.GetPrimaryKeyString(), _latest?.Hz ?? DroopSettings.Standard.NominalHz, 0, now)]);
    }

    private void StartSocTimer() => _socTimer ??= this.RegisterGrainTimer(RestoreSocWindows, new GrainTimerCreationOptions
    {
        DueTime = Grid.SocCheckInterval.ToTimeSpan(),
        Period = Grid.SocCheckInterval.ToTimeSpan(),
        KeepAlive = true,
    });

    /// <summary>Only while the grid is quiet: restoring SoC during an excursion would work against the response.</summary>
    private Task RestoreSocWindows(CancellationToken ct)
    {
        if (Commitment is not { } c) return Task.CompletedTask;
        var age = _latest is null ? Duration.Zero : clock.GetCurrentInstant() - _latest.Ts;
        if (!SocRestoration.GridIsQuiet(_latest?.Hz, age, Grid.CentralResponseValidity)) return Task.CompletedTask;
        foreach (var (deviceId, kw) in c.Batteries) GrainFactory.GetGrain<IBatteryGrain>(deviceId).RestoreSoc(kw).Ignore();
        return Task.CompletedTask;
    }
}
