using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Grains.EventSourcing;
using Vpp.Persistence.Events;

namespace Vpp.Grains.Grid;

/// <summary>State of one dispatch request, folded from its stream.</summary>
public sealed class DispatchAggregate : IAggregate
{
    public DispatchRequest? Request { get; set; }
    public DispatchStatus Status { get; set; }
    public double AcceptedKw { get; set; }
    public string? Reason { get; set; }
    public Instant? StartedAt { get; set; }
    public Dictionary<string, double> Allocations { get; set; } = new(StringComparer.Ordinal);
    public List<string> LostSites { get; set; } = [];
    /// <summary>The largest share each site has held in this dispatch (kW, magnitude): what bounds its credit, also once lost.</summary>
    public Dictionary<string, double> PeakShares { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Each site's baseline as recorded when it took its share (for resuming after a restart).</summary>
    public Dictionary<string, SiteBaselineRecord> Baselines { get; set; } = new(StringComparer.Ordinal);
    public List<DeliveryInterval> Intervals { get; set; } = [];
    public double? DeliveredKwh { get; set; }
    /// <summary>Energy each measured site delivered (kWh, signed as the request).</summary>
    public Dictionary<string, double> DeliveredKwhBySite { get; set; } = new(StringComparer.Ordinal);

    public void Apply(object e)
    {
        switch (e)
        {
            case DispatchRequested r:
                Request = new DispatchRequest(r.RequestId, r.Region, r.StartsAt, r.EndsAt, r.PowerKw, r.Priority);
                Status = DispatchStatus.Received;
                break;
            case DispatchAccepted a:
                Status = DispatchStatus.Accepted;
                AcceptedKw = a.AcceptedKw;
                Reason = a.Reason;
                break;
            case DispatchRejected r:
                Status = DispatchStatus.Rejected;
                Reason = r.Reason;
                break;
            case DispatchBaselinesRecorded b:
                foreach (var (site, baseline) in b.Baselines) Baselines.TryAdd(site, baseline);
                break;
            case DispatchStarted s:
                Status = DispatchStatus.Started;
                StartedAt = s.At;
                foreach (var (site, kw) in s.Allocations) Allocations[site] = kw;
                foreach (var (site, kw) in s.Allocations) PeakShares[site] = Math.Max(PeakShares.GetValueOrDefault(site), Math.Abs(kw));
                foreach (var (site, b) in s.Baselines ?? []) Baselines[site] = b;
                break;
            case DispatchReallocated r:
                Allocations.Remove(r.LostSiteId);
                if (!LostSites.Contains(r.LostSiteId)) LostSites.Add(r.LostSiteId);
                foreach (var (site, kw) in r.Changes) Allocations[site] = kw;
                foreach (var (site, kw) in r.Changes) PeakShares[site] = Math.Max(PeakShares.GetValueOrDefault(site), Math.Abs(kw));
                foreach (var (site, b) in r.Baselines ?? []) Baselines.TryAdd(site, b);
                break;
            case DispatchDeliveryReported d:
                Intervals.Add(new DeliveryInterval(d.From, d.To, d.TargetKw, d.DeliveredKw, d.SitesMeasured));
                foreach (var (site, kw) in d.DeliveredKwBySite ?? [])
                    DeliveredKwhBySite[site] = DeliveredKwhBySite.GetValueOrDefault(site) + kw * (d.To - d.From).TotalHours;
                break;
            case DispatchCompleted c:
                Status = DispatchStatus.Completed;
                DeliveredKwh = c.DeliveredKwh;
                if (c.Reason is not null) Reason = c.Reason;
                break;
            case DispatchCancelled c:
                Status = DispatchStatus.Cancelled;
                Reason = c.Reason;
                break;
        }
    }

    public (DispatchRequestOutcome Outcome, IReadOnlyList<object> Events) Decide(DispatchRequest request, string sourceEventId, Instant now)
    {
        if (Request is null)
            return (DispatchRequestOutcome.Recorded, [new DispatchRequested(request.RequestId, request.Region, request.StartsAt,
                request.EndsAt, request.PowerKw, request.Priority, sourceEventId, now)]);
        return (Request == request ? DispatchRequestOutcome.Duplicate : DispatchRequestOutcome.ConflictingId, []);
    }

    /// <summary>Where the next delivery interval starts: after the last one reported, or at the start.</summary>
    public Instant? NextIntervalFrom => Intervals.Count > 0 ? Intervals[^1].To : StartedAt;

    /// <summary>Energy over the reported intervals, signed as the request.</summary>
    public double MeasuredKwh => Intervals.Sum(i => i.DeliveredKw * (i.To - i.From).TotalHours);

    public DispatchView? View() => Request is null ? null : new DispatchView(Request, Status, AcceptedKw, Reason,
        new Dictionary<string, double>(Allocations), LostSites.ToList(), Intervals.ToList(), DeliveredKwh,
        new Dictionary<string, double>(DeliveredKwhBySite));
}
