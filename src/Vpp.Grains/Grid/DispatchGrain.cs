using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Sites;
using Vpp.Domain.Grid;
using Vpp.Grains.EventSourcing;
using Vpp.Grains.Hosting;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;

namespace Vpp.Grains.Grid;

/// <summary>
/// One utility dispatch request (key = requestId), sole writer of its stream. It records the
/// request, decides at once (accepted fully or partly, or rejected, from what the region can
/// sustain for the whole window), starts it at startsAt by placing shares on sites, moves a lost
/// site's share to others, measures delivery against baselines every interval, and completes.
/// Every step is an event; the utility-facing ones are published on vpp.dispatch.v1.
/// </summary>
public sealed class DispatchGrain(IEventStore store, IClock clock, IOptions<TwinOptions> options, ILogger<DispatchGrain> log)
    : Grain, IDispatchGrain
{
    private EventSourcedStream<DispatchAggregate> _stream = null!;
    private IGrainTimer? _timer;
    /// <summary>Whether this activation has placed the shares on sites (so a resume has nothing to do).</summary>
    private bool _placed;

    private DispatchAggregate State => _stream.State;
    private GridBalancingOptions Grid => options.Value.Grid;
    private IGridRegionGrain Region => GrainFactory.GetGrain<IGridRegionGrain>(State.Request!.Region);
    private double Sign => Math.Sign(State.Request!.PowerKw);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = new EventSourcedStream<DispatchAggregate>(store, StreamKeys.Dispatch(this.GetPrimaryKeyString()));
        await _stream.LoadAsync(cancellationToken);
        Schedule();
    }

    public async Task<DispatchRequestOutcome> Request(DispatchRequest request, string sourceEventId)
    {
        var outcome = DispatchRequestOutcome.Duplicate;
        await _stream.ExecuteAsync(s =>
        {
            (outcome, var events) = s.Decide(request, sourceEventId, clock.GetCurrentInstant());
            return events;
        });
        if (State.Status == DispatchStatus.Received) await DecideAsync();
        Schedule();
        return outcome;
    }

    public Task<DispatchRequest?> Get() => Task.FromResult(State.Request);

    public Task<DispatchView?> GetView() => Task.FromResult(State.View());

    private async Task DecideAsync()
    {
        var request = State.Request!;
        var now = clock.GetCurrentInstant();
        if (request.EndsAt <= now)
        {
            await Append(new DispatchRejected(request.RequestId, "the window has already ended", now));
            return;
        }
        if (request.StartsAt > now + Grid.MaxDispatchLead)
        {
            await Append(new DispatchRejected(request.RequestId, $"it starts more than {Grid.MaxDispatchLead.TotalDays:0.###} days ahead", now));
            return;
        }
        var evaluation = await Region.Evaluate(request);
        await Append(evaluation.AcceptedKw == 0
            ? new DispatchRejected(request.RequestId, evaluation.Reason ?? "no flexibility in the region", clock.GetCurrentInstant())
            : new DispatchAccepted(request.RequestId, evaluation.AcceptedKw, evaluation.Reason, clock.GetCurrentInstant()));
    }

    /// <summary>One timer, always set for the next thing due: the start, the end of a delivery interval, the end.</summary>
    private void Schedule()
    {
        _timer?.Dispose();
        _timer = null;
        if (State.Request is not { } request) return;
        Instant due;
        if (State.Status == DispatchStatus.Accepted) due = request.StartsAt;
        else if (State.Status == DispatchStatus.Started) due = Instant.Min(State.NextIntervalFrom!.Value + Grid.DeliveryInterval, request.EndsAt);
        else return;
        SetTimer(due - clock.GetCurrentInstant());
    }

    private void SetTimer(Duration delay)
    {
        _timer?.Dispose();
        _timer = this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions
        {
            DueTime = TimerWait.DueTime(delay),
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
    }

    private async Task Tick(CancellationToken ct)
    {
        try
        {
            var now = clock.GetCurrentInstant();
            if (State.Status == DispatchStatus.Accepted && now >= State.Request!.StartsAt) await StartAsync();
            if (State.Status == DispatchStatus.Started)
            {
                await MeasureDueIntervals(clock.GetCurrentInstant());
                if (clock.GetCurrentInstant() >= State.Request!.EndsAt) await CompleteAsync(early: false, reason: null);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The next tick tries again; a dispatch must not stop because one step failed.
            log.LogError(e, "Dispatch {RequestId}: step failed; retrying", this.GetPrimaryKeyString());
            SetTimer(Duration.FromSeconds(1));
            return;
        }
        Schedule();
    }

    private async Task StartAsync()
    {
        var (placed, unplaced, baselines) = await PlaceAsync(State.AcceptedKw, [], new Dictionary<string, double>(StringComparer.Ordinal));
        if (unplaced > 1e-6) log.LogWarning("Dispatch {RequestId}: {Unplaced:0.###} kW could not be placed at the start", State.Request!.RequestId, unplaced);
        await Append(new DispatchStarted(State.Request!.RequestId, placed, clock.GetCurrentInstant(), baselines));
    }

    public async Task Resume()
    {
        if (_placed || State.Request is not { } request) return;
        var now = clock.GetCurrentInstant();
        if (State.Status is not (DispatchStatus.Accepted or DispatchStatus.Started) || request.EndsAt <= now) return;
        _placed = true;
        await Region.Hold(new RegionDispatch(request.RequestId, request.StartsAt, request.EndsAt, State.AcceptedKw));
        if (State.Status == DispatchStatus.Started)
        {
            // The sites forgot the share in the restart; they take it again with the baseline recorded when they first took it.
            var results = await Task.WhenAll(State.Allocations.Select(async a =>
            {
                var order = new SiteDispatchOrder(request.RequestId, Sign > 0, a.Value, request.StartsAt, request.EndsAt, RecordedBaseline(a.Key));
                try
                {
                    return (Site: a.Key, (await GrainFactory.GetGrain<ISiteGrain>(a.Key).Dispatch(order)).FailureReason);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    return (Site: a.Key, FailureReason: e.Message);
                }
            }));
            await Region.Placed(request.RequestId, State.Allocations, []);
            foreach (var (site, failure) in results.Where(r => r.FailureReason is not null))
                await SiteLost(site, "after a restart: " + failure);
        }
        log.LogInformation("Dispatch {RequestId} resumed after a restart ({Status})", request.RequestId, State.Status);
        Schedule();
    }

    /// <summary>
    /// Places <paramref name="kw"/> (signed) on sites through the region, sends each site its new
    /// total, and offers what sites refuse to others, for a few rounds. Returns the new totals of
    /// the sites that took a share, and what is left unplaced (magnitude).
    /// </summary>
    private async Task<(Dictionary<string, double> Placed, double Unplaced, Dictionary<string, SiteBaselineRecord> Baselines)> PlaceAsync(
        double kw, IEnumerable<string> exclude, Dictionary<string, double> current)
    {
        _placed = true;
        var request = State.Request!;
        var excluded = new HashSet<string>(exclude, StringComparer.Ordinal);
        var placed = new Dictionary<string, double>(StringComparer.Ordinal);
        var baselines = new Dictionary<string, SiteBaselineRecord>(StringComparer.Ordinal);
        var remaining = Math.Abs(kw);
        for (var round = 0; round <= Grid.ReallocationRounds && remaining > 1e-6; round++)
        {
            var carried = current.Concat(placed).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
            var shares = await Region.Allocate(request.RequestId, Sign * remaining, request.EndsAt, excluded);
            if (shares.Count == 0) break;
            await RecordBaselines(shares.Select(s => s.SiteId));
            var results = await Task.WhenAll(shares.Select(async share =>
            {
                var total = carried.GetValueOrDefault(share.SiteId) + share.DeltaKw;
                var order = new SiteDispatchOrder(request.RequestId, Sign > 0, total, request.StartsAt, request.EndsAt, RecordedBaseline(share.SiteId));
                try
                {
                    var result = await GrainFactory.GetGrain<ISiteGrain>(share.SiteId).Dispatch(order);
                    return (share, total, result.FailureReason, result.Baseline);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    return (share, total, e.Message, null);
                }
            }));
            foreach (var (share, total, failure, baseline) in results)
            {
                if (failure is null)
                {
                    placed[share.SiteId] = total;
                    if (baseline is not null && !State.Baselines.ContainsKey(share.SiteId))
                        baselines[share.SiteId] = new SiteBaselineRecord(baseline.GridKw, baseline.BatteryKw.ToDictionary(b => b.Key, b => b.Value, StringComparer.Ordinal));
                    remaining -= share.DeltaKw;
                }
                else
                {
                    excluded.Add(share.SiteId);
                    log.LogInformation("Dispatch {RequestId}: site {SiteId} refused its share: {Reason}", request.RequestId, share.SiteId, failure);
                }
            }
        }
        await Region.Placed(request.RequestId, placed, []);
        return (placed, Math.Max(0, remaining), baselines);
    }

    /// <summary>
    /// Asks the sites without a recorded baseline for theirs and records them before any setpoint
    /// goes out (a host lost after the setpoints still has them; see docs/grid-balancing.md#restarts).
    /// </summary>
    private async Task RecordBaselines(IEnumerable<string> siteIds)
    {
        var request = State.Request!;
        var order = new SiteDispatchOrder(request.RequestId, Sign > 0, 0, request.StartsAt, request.EndsAt);
        var taken = await Task.WhenAll(siteIds.Where(id => !State.Baselines.ContainsKey(id)).Select(async id =>
        {
            try
            {
                return (Site: id, Baseline: await GrainFactory.GetGrain<ISiteGrain>(id).DispatchBaseline(order));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogInformation(e, "Dispatch {RequestId}: no baseline from site {SiteId}; it takes one itself", request.RequestId, id);
                return (Site: id, Baseline: null);
            }
        }));
        var records = taken.Where(t => t.Baseline is not null).ToDictionary(t => t.Site,
            t => new SiteBaselineRecord(t.Baseline!.GridKw, t.Baseline.BatteryKw.ToDictionary(b => b.Key, b => b.Value, StringComparer.Ordinal)), StringComparer.Ordinal);
        if (records.Count > 0) await Append(new DispatchBaselinesRecorded(request.RequestId, records, clock.GetCurrentInstant()));
    }

    private SiteBaseline? RecordedBaseline(string siteId) =>
        State.Baselines.GetValueOrDefault(siteId) is { } b ? new SiteBaseline(b.GridKw, b.BatteryKw) : null;

    public async Task SiteLost(string siteId, string reason)
    {
        if (State.Status != DispatchStatus.Started || !State.Allocations.TryGetValue(siteId, out var lost)) return;
        var current = State.Allocations.Where(a => a.Key != siteId).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        await Region.Placed(State.Request!.RequestId, new Dictionary<string, double>(), [siteId]);
        var (changes, unplaced, baselines) = await PlaceAsync(Sign * lost, State.LostSites.Append(siteId), current);
        await Append(new DispatchReallocated(State.Request!.RequestId, siteId, reason, changes, unplaced, clock.GetCurrentInstant(), baselines));
    }

    private async Task MeasureDueIntervals(Instant now)
    {
        var end = State.Request!.EndsAt;
        while (State.NextIntervalFrom is { } from && from < end)
        {
            var to = Instant.Min(from + Grid.DeliveryInterval, end);
            if (to > now) break;
            await MeasureAsync(from, to);
        }
    }

    private async Task MeasureAsync(Instant from, Instant to)
    {
        var request = State.Request!;
        var sites = State.Allocations.Keys.Concat(State.LostSites).Distinct(StringComparer.Ordinal).ToList();
        var deliveries = await Task.WhenAll(sites.Select(async s => (Site: s, (await GrainFactory.GetGrain<ISiteGrain>(s).MeasureDelivery(request.RequestId, from, to)).DeliveredKw)));
        var measured = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (site, raw) in deliveries)
        {
            if (raw is not { } kw) continue;
            var peak = State.PeakShares.GetValueOrDefault(site);
            var credited = DeliveryCredit.Cap(kw, peak, Math.Sign(request.PowerKw));
            if (credited != kw)
                log.LogWarning("Dispatch {RequestId}: site {SiteId} measured {RawKw:0.###} kW, beyond its share of {ShareKw:0.###} kW, from {From} to {To}; credited {CreditedKw:0.###} kW (check its meter)",
                    request.RequestId, site, kw, peak, from, to, credited);
            measured[site] = credited;
        }
        await Append(new DispatchDeliveryReported(request.RequestId, from, to, State.AcceptedKw, measured.Values.Sum(),
            measured.Count, clock.GetCurrentInstant(), measured));
    }

    private async Task CompleteAsync(bool early, string? reason)
    {
        var request = State.Request!;
        var now = clock.GetCurrentInstant();
        if (early && State.NextIntervalFrom is { } from && now > from) await MeasureAsync(from, Instant.Min(now, request.EndsAt));
        var hours = (request.EndsAt - request.StartsAt).TotalHours;
        var ran = (Instant.Min(now, request.EndsAt) - (State.StartedAt ?? request.StartsAt)).TotalHours;
        await Append(new DispatchCompleted(request.RequestId, request.PowerKw * hours, State.AcceptedKw * Math.Max(0, ran), State.MeasuredKwh,
            early, reason, now));
        var sites = State.Allocations.Keys.Concat(State.LostSites).Distinct(StringComparer.Ordinal);
        await Task.WhenAll(sites.Select(s => GrainFactory.GetGrain<ISiteGrain>(s).EndDispatch(request.RequestId, early)));
        await Region.Release(request.RequestId);
    }

    public async Task<bool> Cancel(string reason)
    {
        switch (State.Status)
        {
            case DispatchStatus.Received or DispatchStatus.Accepted:
                await Append(new DispatchCancelled(State.Request!.RequestId, reason, clock.GetCurrentInstant()));
                await Region.Release(State.Request!.RequestId);
                Schedule();
                return true;
            case DispatchStatus.Started:
                await CompleteAsync(early: true, reason);
                Schedule();
                return true;
            default:
                return false;
        }
    }

    private Task Append(object e) => _stream.ExecuteAsync(_ => [e]);
}
