using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Markets;
using Vpp.Domain.Markets;
using Vpp.Grains.Hosting;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;
using Vpp.Scheduling;

namespace Vpp.Grains.Markets;

/// <summary>
/// One region's day-ahead energy day (key "{region}/{yyyy-MM-dd}"): bids from the plan at gate
/// closure − BidLead (holding back reserve capacity awarded for the day), each award to grid
/// balancing at its start − DispatchLead, each product settled from measured delivery once its
/// dispatch completed.
/// </summary>
public sealed class MarketDayGrain(IEventStore store, IClock clock, IMarketExchange exchange, IOptions<MarketOptions> options, ILogger<MarketDayGrain> log)
    : MarketDayGrainBase(store, clock, exchange, log), IMarketDayGrain
{
    private MarketOptions Options => options.Value;
    protected override string Market => MarketOptions.DayAhead;
    protected override MarketCalendar Calendar => Options.Calendar;
    protected override Duration BidLead => Options.BidLead;

    protected override async Task BidAsync(Instant now)
    {
        var region = GrainFactory.GetGrain<IGridRegionGrain>(Region);
        var fleet = await region.GetFleet();
        var (before, prices) = await DayBeforeAsync(Calendar, Market);
        var reserve = await ReserveKwAsync();
        var limits = await region.GetFleetLimits(Products.Select(p => p.Delivery.Start).ToList());
        var history = await region.GetBaselineHistory();
        var homes = (await region.GetBatteries())
            .Select(b => new PlannerFleet(b.UsableKwh, b.InitialKwh, b.MaxChargeKw, b.MaxDischargeKw, Options.RoundTripEfficiency)).ToList();
        var baseline = BaselineForecast.Of(history.Select(q => (q.Start, q.Kw)).ToList(), Calendar.Zone, Products, now, fleet.InitialKwh, fleet.UsableKwh,
            Options.RoundTripEfficiency, fleet.BaselineKw);
        // The region counts power headroom from what the batteries do now; the plan adds the baseline itself, so it needs their limits.
        var plan = DayAheadPlanner.Plan(new PlannerFleet(fleet.UsableKwh, fleet.InitialKwh, Math.Max(0, fleet.MaxChargeKw - fleet.BaselineKw),
                Math.Max(0, fleet.MaxDischargeKw + fleet.BaselineKw), Options.RoundTripEfficiency),
            Products, before, prices, Options.DegradationEurPerKwh, Options.MinBidKw, reserve, limits.Select(l => (l.UpKw, l.DownKw)).ToList(), baseline, homes);
        List<object> planned = plan.Intervals.Count == 0 ? [] :
        [
            new ScheduleBuilt(Market, Region, DayText, fleet.Sites, fleet.UsableKwh, fleet.InitialKwh, fleet.MaxChargeKw, fleet.MaxDischargeKw,
                plan.Intervals.Select(i => new PlannedProduct(i.Product.Index, i.Product.Delivery.Start, i.Product.Delivery.End, i.ForecastEurPerMwh,
                    i.ScheduledKw, i.ReserveKw, i.BaselineKw)).ToList(),
                plan.ExpectedProfitEur, "persistence: each product at the same product's clearing price the day before", Clock.GetCurrentInstant(),
                baseline.InitialKwh,
                $"persistence: each quarter-hour as the batteries ran on their own at the same time on the latest of the last {BaselineForecast.LookBackDays} days ({baseline.QuartersKnown} of the day's quarter-hours seen; the rest 0)"),
        ];
        await SubmitAsync(planned, plan.Curves, plan.NothingToBid);
    }

    /// <summary>Per product, the frequency-reserve capacity awarded for the block it falls in (held back from energy).</summary>
    private async Task<IReadOnlyList<double>?> ReserveKwAsync()
    {
        if (!Options.Reserve.Enabled) return null;
        var reserve = await GrainFactory.GetGrain<IReserveDayGrain>(this.GetPrimaryKeyString()).GetView();
        var blocks = reserve.Products.Where(p => p.AwardedKw is > 0).ToList();
        return Products.Select(p => blocks.FirstOrDefault(b => b.Start <= p.Delivery.Start && p.Delivery.Start < b.End)?.AwardedKw ?? 0).ToList();
    }

    protected override async Task<Instant?> ExecuteAwardsAsync()
    {
        Instant? next = null;
        void Wake(Instant at) => next = next is { } n ? Instant.Min(n, at) : at;
        foreach (var award in State.Traded.OrderBy(a => a.Start))
        {
            if (State.Settled.ContainsKey(award.ProductIndex)) continue;
            var now = Clock.GetCurrentInstant();
            if (!State.Dispatched.ContainsKey(award.ProductIndex))
            {
                if (now >= award.End) await SettleAsync(award, 0, new Dictionary<string, double>(), Options.ImbalancePenaltyEurPerMwh,
                    "the award was never dispatched (the VPP was down)");
                else if (now >= award.Start - Options.DispatchLead) await DispatchAsync(award);
                else Wake(award.Start - Options.DispatchLead);
                continue;
            }
            if (now < award.End) { Wake(award.End); continue; }
            var view = await GrainFactory.GetGrain<IDispatchGrain>(State.Dispatched[award.ProductIndex]).GetView();
            if (view?.Status is not (DispatchStatus.Completed or DispatchStatus.Rejected or DispatchStatus.Cancelled)) { Wake(now + Duration.FromSeconds(1)); continue; }
            await SettleAsync(award, view.DeliveredKwh ?? 0, view.DeliveredKwhBySite, Options.ImbalancePenaltyEurPerMwh,
                view.Status is DispatchStatus.Rejected or DispatchStatus.Cancelled ? $"the dispatch was {view.Status.ToString().ToLowerInvariant()}: {view.Reason}" : null);
        }
        return next;
    }

    private async Task DispatchAsync(AwardedProduct award)
    {
        var requestId = $"market-{Region}-{DayText}-{award.ProductIndex:D3}";
        await GrainFactory.GetGrain<IDispatchGrain>(requestId)
            .Request(new DispatchRequest(requestId, Region, award.Start, award.End, award.AwardedKw, 0), requestId);
        await Append(new AwardDispatched(Market, Region, DayText, award.ProductIndex, requestId, Clock.GetCurrentInstant()));
    }
}
