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
/// One region's day in the frequency-reserve capacity auction (key "{region}/{yyyy-MM-dd}"): offers
/// the region's symmetric capacity per block before gate closure; at each awarded block's start
/// commits it as the region's frequency response until the block ends (held back from dispatch and
/// from the energy plan); after the block, settles it: paid for the capacity committed, the
/// shortfall bought back at the penalised price, each home's share by the capacity it held.
/// </summary>
public sealed class ReserveDayGrain(IEventStore store, IClock clock, IMarketExchange exchange, IOptions<MarketOptions> options, ILogger<ReserveDayGrain> log)
    : MarketDayGrainBase(store, clock, exchange, log), IReserveDayGrain
{
    private ReserveMarketOptions Reserve => options.Value.Reserve;
    protected override string Market => ReserveMarketOptions.Name;
    protected override MarketCalendar Calendar => Reserve.Calendar;
    protected override Duration BidLead => Reserve.BidLead;

    /// <summary>Capacity is not energy: a home's earnings line for a block records no delivered kWh.</summary>
    protected override double EarningsEnergyKwh(IntervalSettled settled, string siteId) => 0;

    protected override async Task BidAsync(Instant now)
    {
        var fleet = await GrainFactory.GetGrain<IGridRegionGrain>(Region).GetFleet();
        var offer = ReservePlanner.Offer(new PlannerFleet(fleet.UsableKwh, fleet.InitialKwh, fleet.MaxChargeKw, fleet.MaxDischargeKw, options.Value.RoundTripEfficiency),
            Products, Reserve.MinBidKw, Reserve.FloorPriceEurPerMwh, fleet.SymmetricKw,
            Reserve.PriceAtOpportunityCost ? await EnergyForecastAsync() : null);
        await SubmitAsync([], offer.Curves, offer.NothingToBid);
    }

    /// <summary>
    /// The same day's energy prices as the day-ahead plan will forecast them (the day before's clearing
    /// prices, published by now): what holding capacity back costs is priced from them.
    /// </summary>
    private async Task<EnergyForecast?> EnergyForecastAsync()
    {
        try
        {
            var (before, prices) = await DayBeforeAsync(options.Value.Calendar, options.Value.Market);
            return EnergyForecast.Persistence(options.Value.Calendar.Products(Day), before, prices, options.Value.DegradationEurPerKwh);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The offer still goes in, at the floor price: capacity unsold is worth less than a missed gate.
            Log.LogWarning(e, "Reserve {Region} {Day}: no energy prices to price the offer from; offering at the floor price", Region, DayText);
            return null;
        }
    }

    protected override async Task<Instant?> ExecuteAwardsAsync()
    {
        Instant? next = null;
        void Wake(Instant at) => next = next is { } n ? Instant.Min(n, at) : at;
        foreach (var award in State.Traded.Where(a => a.AwardedKw > 0).OrderBy(a => a.Start))
        {
            if (State.Settled.ContainsKey(award.ProductIndex)) continue;
            var now = Clock.GetCurrentInstant();
            if (!State.Committed.TryGetValue(award.ProductIndex, out var committed))
            {
                if (now >= award.End) await SettleAsync(award, 0, new Dictionary<string, double>(), options.Value.ImbalancePenaltyEurPerMwh,
                    "the capacity was never committed (the VPP was down)");
                else if (now >= award.Start) await CommitAsync(award);
                else Wake(award.Start);
                continue;
            }
            if (now < award.End) { Wake(award.End); continue; }
            var hours = (award.End - award.Start).TotalHours;
            var held = Math.Min(committed.CommittedKw, award.AwardedKw);
            await SettleAsync(award, held * hours, committed.SiteCommittedKw.ToDictionary(s => s.Key, s => s.Value * hours),
                options.Value.ImbalancePenaltyEurPerMwh,
                held < award.AwardedKw - 1e-3 ? $"committed {held:0.###} of {award.AwardedKw:0.###} kW: the homes could not hold more" : null);
        }
        return next;
    }

    private async Task CommitAsync(AwardedProduct award)
    {
        var view = await GrainFactory.GetGrain<IGridRegionGrain>(Region)
            .CommitFrequencyResponse(award.AwardedKw, Reserve.Mode, award.End, $"market:{Market}:{DayText}:{award.ProductIndex}");
        await Append(new ReserveCommitted(Market, Region, DayText, award.ProductIndex, award.AwardedKw, view.CommittedKw,
            view.SiteCommittedKw.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal), Clock.GetCurrentInstant()));
    }
}
