using Vpp.Contracts.Markets;
using Vpp.Grains.EventSourcing;
using Vpp.Persistence.Events;

namespace Vpp.Grains.Markets;

/// <summary>One region's market day, folded from its stream.</summary>
public sealed class MarketDayAggregate : IAggregate
{
    public ScheduleBuilt? Schedule { get; set; }
    public BidSubmitted? Bids { get; set; }
    public BidNotSubmitted? NotSubmitted { get; set; }
    public BidAwarded? Awards { get; set; }
    public Dictionary<int, string> Dispatched { get; set; } = [];
    /// <summary>Reserve-capacity blocks that started: what the region committed for them.</summary>
    public Dictionary<int, ReserveCommitted> Committed { get; set; } = [];
    public Dictionary<int, IntervalSettled> Settled { get; set; } = [];

    public void Apply(object e)
    {
        switch (e)
        {
            case ScheduleBuilt s: Schedule = s; break;
            case BidSubmitted b: Bids = b; break;
            case BidNotSubmitted n: NotSubmitted = n; break;
            case BidAwarded a: Awards = a; break;
            case AwardDispatched d: Dispatched[d.ProductIndex] = d.RequestId; break;
            case ReserveCommitted c: Committed[c.ProductIndex] = c; break;
            case IntervalSettled s: Settled[s.ProductIndex] = s; break;
        }
    }

    /// <summary>Awarded products that trade something.</summary>
    public IEnumerable<AwardedProduct> Traded => Awards?.Awards.Where(a => Math.Abs(a.AwardedKw) > 1e-9) ?? [];

    public bool BidsDecided => Bids is not null || NotSubmitted is not null;

    /// <summary>Nothing left to do: no bids, or every traded product settled.</summary>
    public bool Finished => NotSubmitted is not null || (Awards is not null && Traded.All(a => Settled.ContainsKey(a.ProductIndex)));

    public string Status =>
        NotSubmitted is not null ? "no-bids"
        : Awards is null ? Bids is null ? "open" : "bids-submitted"
        : Finished ? "settled"
        : Dispatched.Count > 0 || Committed.Count > 0 ? "delivering"
        : "awarded";

    public MarketDayView View(string market, string region, string day, NodaTime.Instant gateClosure, IReadOnlyList<Domain.Markets.MarketProduct> products)
    {
        var planned = Schedule?.Products.ToDictionary(p => p.ProductIndex) ?? [];
        var awarded = Awards?.Awards.ToDictionary(a => a.ProductIndex) ?? [];
        var views = products.Select(p => new MarketProductView(p.Index, p.Delivery.Start, p.Delivery.End,
            planned.GetValueOrDefault(p.Index)?.ForecastEurPerMwh, planned.GetValueOrDefault(p.Index)?.ScheduledKw,
            awarded.GetValueOrDefault(p.Index)?.AwardedKw, awarded.GetValueOrDefault(p.Index)?.ClearingPriceEurPerMwh,
            Dispatched.GetValueOrDefault(p.Index), Settled.GetValueOrDefault(p.Index)?.DeliveredKwh,
            Settled.GetValueOrDefault(p.Index)?.MarketEur, Settled.GetValueOrDefault(p.Index)?.ImbalanceEur)).ToList();
        return new MarketDayView(market, region, day, Status, gateClosure, NotSubmitted?.Reason, Bids?.Curves.Count ?? 0,
            Settled.Values.Sum(s => s.AwardedKwh), Settled.Values.Sum(s => s.DeliveredKwh), Settled.Values.Sum(s => s.MarketEur),
            Settled.Values.Sum(s => s.ImbalanceEur), views);
    }
}
