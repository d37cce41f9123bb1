using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Domain.Grid;
using Vpp.Domain.Units;
using Vpp.Grains.Hosting;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;

namespace Vpp.Grains.Grid;

/// <summary>
/// A region of the grid: its latest frequency (a signal, not event-sourced) and the aggregator of
/// its sites' flexibility. Sites report capability on change and every few seconds, so sizing and
/// placing a dispatch is in-memory work here (no fan-out of calls to thousands of sites).
/// Acceptance reserves capacity per request so overlapping requests cannot promise the same kW twice.
/// </summary>
public sealed partial class GridRegionGrain(IClock clock, IEventStore store, IOptions<TwinOptions> options, ILogger<GridRegionGrain> log)
    : Grain, IGridRegionGrain
{
    private sealed record Reservation(Instant From, Instant Until, double Kw, DispatchEvaluation Answer);

    private FrequencyReading? _latest;
    private readonly Dictionary<string, SiteCapability> _sites = new(StringComparer.Ordinal);
    private readonly FleetBaselineHistory _baseline = new();
    private Instant? _openQuarter;
    private readonly Dictionary<string, Reservation> _reservations = new(StringComparer.Ordinal);
    /// <summary>Per battery, what central frequency response needs without asking its twin.</summary>
    private readonly Dictionary<string, BatteryFacts> _batteries = new(StringComparer.Ordinal);

    private sealed record BatteryFacts(string SiteId, double PresentKw, double MaxDischargeKw, double MaxChargeKw, double UpKwh, double ReservePct);
    /// <summary>requestId → site → kW carried (signed as the request).</summary>
    private readonly Dictionary<string, Dictionary<string, double>> _carried = new(StringComparer.Ordinal);

    public Task ReportFrequency(FrequencyReading reading)
    {
        if (_latest is not null && reading.Ts <= _latest.Ts) return Task.CompletedTask;
        _latest = reading;
        // A reading older than a central setpoint's validity (redelivered after a restart, or a lagging consumer)
        // describes a grid that has moved on: answering it now would push power the grid no longer needs.
        var age = clock.GetCurrentInstant() - reading.Ts;
        if (age > Grid.CentralResponseValidity)
        {
            log.LogWarning("Frequency reading of {Region} at {Ts} ({Hz} Hz) is {AgeSeconds:0.#} s old: kept as the latest, not answered",
                this.GetPrimaryKeyString(), reading.Ts, reading.Hz, age.TotalSeconds);
            return Task.CompletedTask;
        }
        return RespondCentrally(reading);
    }

    public Task<FrequencyReading?> GetFrequency() => Task.FromResult(_latest);

    public Task<IReadOnlyList<RegionDispatch>> GetDispatches()
    {
        var now = clock.GetCurrentInstant();
        return Task.FromResult<IReadOnlyList<RegionDispatch>>(_reservations
            .Where(r => r.Value.Until > now).OrderBy(r => r.Value.From)
            .Select(r => new RegionDispatch(r.Key, r.Value.From, r.Value.Until, r.Value.Kw)).ToList());
    }

    public Task ReportCapability(SiteCapabilityReport report)
    {
        if (_sites.TryGetValue(report.SiteId, out var known) && known.At > report.At) return Task.CompletedTask;
        _sites[report.SiteId] = report.ToDomain();
        foreach (var b in report.Batteries)
            _batteries[b.DeviceId] = new BatteryFacts(report.SiteId, b.PresentKw, b.MaxDischargeKw, b.MaxChargeKw, b.UpKwh, report.BackupReservePct);
        // The market scheduler's recent history: what the participating batteries do on their own (sites report them at
        // baseline), as of the report's time (reports are one-way: they may be handled a little later).
        // Synchronous unless a quarter-hour completes (every site's reports pass here).
        return _baseline.Sample(report.At, () => _sites.Values.Where(s => s.Allows("", report.At)).Sum(s => s.Batteries.Sum(b => b.Now.Kw)))
            ? RecordCompletedQuarter(FleetBaselineHistory.QuarterOf(report.At))
            : Task.CompletedTask;
    }

    /// <summary>A sample of a later quarter-hour completes the one sampled before: recorded, so a restart keeps the history.</summary>
    private async Task RecordCompletedQuarter(Instant current)
    {
        if (_openQuarter is { } open && current > open && _baseline.Get(open) is { } done)
            await _stream.ExecuteAsync(_ => [new RegionBaselineRecorded(this.GetPrimaryKeyString(), open, done.MeanKw, done.Samples, clock.GetCurrentInstant())]);
        if (_openQuarter is null || current > _openQuarter) _openQuarter = current;
    }

    public Task<IReadOnlyList<BaselineQuarter>> GetBaselineHistory() =>
        Task.FromResult<IReadOnlyList<BaselineQuarter>>(_baseline.Quarters().Select(q => new BaselineQuarter(q.Start, q.Kw)).ToList());

    public Task<DispatchEvaluation> Evaluate(DispatchRequest request)
    {
        if (_reservations.TryGetValue(request.RequestId, out var held)) return Task.FromResult(held.Answer);
        var now = clock.GetCurrentInstant();
        var from = Instant.Max(now, request.StartsAt);
        if (request.EndsAt <= from) return Task.FromResult(new DispatchEvaluation(0, "the window has already ended"));

        var direction = CapabilityMapping.Direction(request.PowerKw);
        var window = request.EndsAt - from;
        var sustainable = _sites.Values.Sum(s => DispatchAllocation.Sustainable(DispatchHeadroom.Of(Held(s), direction, request.RequestId, from, request.EndsAt), window));
        // Sites report their batteries without dispatches (at baseline), so every overlapping promise is subtracted.
        var claimed = _reservations.Values
            .Where(r => r.From < request.EndsAt && r.Until > from && Math.Sign(r.Kw) == Math.Sign(request.PowerKw))
            .Sum(r => Math.Abs(r.Kw));
        var available = Math.Max(0, sustainable - claimed);
        var accepted = Math.Min(Math.Abs(request.PowerKw), available);
        var reason = accepted >= Math.Abs(request.PowerKw) - 1e-9 ? null
            : claimed > 0 ? $"the region can sustain {available:0.###} kW for the whole window after {claimed:0.###} kW promised to overlapping requests"
            : DispatchAllocation.ShortfallReason(new Power(Math.Abs(request.PowerKw)), _sites.Count, new Power(available));
        var answer = new DispatchEvaluation(Math.Sign(request.PowerKw) * accepted, reason);
        if (accepted > 0) _reservations[request.RequestId] = new Reservation(request.StartsAt, request.EndsAt, answer.AcceptedKw, answer);
        return Task.FromResult(answer);
    }

    public Task<IReadOnlyList<SiteShare>> Allocate(string requestId, double powerKw, Instant until, IReadOnlyCollection<string> exclude)
    {
        var now = clock.GetCurrentInstant();
        if (until <= now || powerKw == 0) return Task.FromResult<IReadOnlyList<SiteShare>>([]);
        var window = until - now;
        var direction = CapabilityMapping.Direction(powerKw);
        var excluded = exclude.ToHashSet(StringComparer.Ordinal);
        var headroom = _sites.Values
            .Where(s => !excluded.Contains(s.SiteId))
            .Select(s =>
            {
                var h = DispatchHeadroom.Of(Held(s), direction, requestId, now, until);
                var carried = Carried(s.SiteId, Math.Sign(powerKw));
                return carried <= 0 ? h : new SiteHeadroom(s.SiteId, new Power(Math.Max(0, h.Power.Kw - carried)),
                    new Energy(Math.Max(0, h.Energy.Kwh - carried * window.TotalHours)));
            })
            .ToList();
        var result = DispatchAllocation.Allocate(new Power(Math.Abs(powerKw)), window, headroom);
        return Task.FromResult<IReadOnlyList<SiteShare>>(result.Sites.Select(s => new SiteShare(s.SiteId, s.Power.Kw)).ToList());
    }

    /// <summary>What a site carries in one direction over all requests (magnitude).</summary>
    private double Carried(string siteId, int sign) =>
        _carried.Values.Sum(sites => sites.TryGetValue(siteId, out var kw) && Math.Sign(kw) == sign ? Math.Abs(kw) : 0);

    public Task Placed(string requestId, IReadOnlyDictionary<string, double> totals, IReadOnlyCollection<string> removed)
    {
        var sign = _reservations.TryGetValue(requestId, out var r) ? Math.Sign(r.Kw) : 1;
        if (!_carried.TryGetValue(requestId, out var sites)) _carried[requestId] = sites = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var site in removed) sites.Remove(site);
        foreach (var (site, kw) in totals) sites[site] = sign * Math.Abs(kw);
        return Task.CompletedTask;
    }

    public Task Hold(RegionDispatch accepted)
    {
        if (!_reservations.ContainsKey(accepted.RequestId))
            _reservations[accepted.RequestId] = new Reservation(accepted.StartsAt, accepted.EndsAt, accepted.AcceptedKw,
                new DispatchEvaluation(accepted.AcceptedKw, null));
        return Task.CompletedTask;
    }

    public Task Release(string requestId)
    {
        _reservations.Remove(requestId);
        _carried.Remove(requestId);
        return Task.CompletedTask;
    }

    public Task<RegionFlexibility> GetFlexibility()
    {
        var now = clock.GetCurrentInstant();
        var hour = now + Duration.FromHours(1);
        var sites = _sites.Values.Where(s => s.Allows("", now) && s.Batteries.Count > 0).Select(Held).ToList();
        var (up, down) = SumHeadroom(sites, now, hour);
        var committed = _reservations.Values.Where(r => r.Until > now).ToList();
        return Task.FromResult(new RegionFlexibility(this.GetPrimaryKeyString(), sites.Count, up, down,
            committed.Where(r => r.Kw > 0).Sum(r => r.Kw), committed.Where(r => r.Kw < 0).Sum(r => -r.Kw)));
    }

    public Task<RegionFleet> GetFleet()
    {
        var now = clock.GetCurrentInstant();
        // Over one minute, so that energy limits stay out of the power figures: the optimiser models energy itself.
        var minute = now + Duration.FromMinutes(1);
        var sites = ParticipatingSites(now);
        var batteries = sites.SelectMany(s => s.Batteries).ToList();
        // Power as a change from what the batteries do now (a market position is measured against the
        // baseline, like a dispatch), within inverter limits and envelopes.
        var (up, down) = SumHeadroom(sites, now, minute);
        var symmetric = FrequencyReserve.Capacity(_sites.Values, now, now + FrequencyReserve.Endurance);
        return Task.FromResult(new RegionFleet(this.GetPrimaryKeyString(), now, sites.Count,
            batteries.Sum(b => b.UpEnergy.Kwh + b.DownEnergy.Kwh), batteries.Sum(b => b.UpEnergy.Kwh), down, up, symmetric.Kw, batteries.Sum(b => b.Now.Kw)));
    }

    public Task<IReadOnlyList<FleetBattery>> GetBatteries()
    {
        var now = clock.GetCurrentInstant();
        return Task.FromResult<IReadOnlyList<FleetBattery>>(ParticipatingSites(now).SelectMany(s => s.Batteries)
            .Select(b => new FleetBattery(b.UpEnergy.Kwh + b.DownEnergy.Kwh, b.UpEnergy.Kwh, b.MaxCharge.Kw, b.MaxDischarge.Kw)).ToList());
    }

    /// <summary>Sites taking part now with a battery, their frequency-response commitments held back: what market planning sees.</summary>
    private List<SiteCapability> ParticipatingSites(Instant now) =>
        _sites.Values.Where(s => s.Allows("", now) && s.Batteries.Count > 0).Select(Held).ToList();

    public Task<IReadOnlyList<FleetLimit>> GetFleetLimits(IReadOnlyList<Instant> at)
    {
        if (at.Count == 0) return Task.FromResult<IReadOnlyList<FleetLimit>>([]);
        var sites = _sites.Values.Where(s => s.Batteries.Count > 0).Select(Held).ToList();
        // Only envelopes and manual overrides change a site's headroom over the day: sites without
        // them are summed once, so a day of 96 products over 10 000 homes stays a short turn for this
        // grain (it also runs frequency response).
        var first = at.Min();
        bool Varies(SiteCapability s) => s.Envelopes.Count > 0 || s.ManualOverrideUntil is { } until && until > first;
        var varying = sites.Where(Varies).ToList();
        var steady = SumHeadroom(sites.Where(s => !Varies(s)), first, first + Duration.FromMinutes(1));
        return Task.FromResult<IReadOnlyList<FleetLimit>>(at.Select(t =>
        {
            var (up, down) = SumHeadroom(varying, t, t + Duration.FromMinutes(1));
            return new FleetLimit(steady.Up + up, steady.Down + down);
        }).ToList());
    }

    /// <summary>The sites' summed headroom (kW) up and down over [from, until), for any event they allow.</summary>
    private static (double Up, double Down) SumHeadroom(IEnumerable<SiteCapability> sites, Instant from, Instant until)
    {
        double up = 0, down = 0;
        foreach (var s in sites)
        {
            up += DispatchHeadroom.Of(s, DispatchDirection.Up, "", from, until).Power.Kw;
            down += DispatchHeadroom.Of(s, DispatchDirection.Down, "", from, until).Power.Kw;
        }
        return (up, down);
    }
}
