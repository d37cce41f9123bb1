using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Markets;
using Vpp.Contracts.Sites;
using Vpp.Domain.Markets;
using Vpp.Grains.EventSourcing;
using Vpp.Grains.Hosting;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;
using Vpp.Scheduling;

namespace Vpp.Grains.Markets;

/// <summary>
/// One region's day-ahead market day (key "{region}/{yyyy-MM-dd}"). What is due is worked out from
/// the stream and the clock on every step, so a step repeated after a crash or a reminder that fires
/// late does the right thing: bids at gate closure − BidLead, awards from gate closure, each award
/// to grid balancing at its start − DispatchLead, each product settled once its dispatch completed.
/// A reminder keeps the day alive (every 5 minutes); a timer wakes it for the next due instant.
/// </summary>
public sealed class MarketDayGrain(IEventStore store, IClock clock, IMarketExchange exchange, IOptions<MarketOptions> options, ILogger<MarketDayGrain> log)
    : Grain, IMarketDayGrain, IRemindable
{
    private const string ReminderName = "market-day";
    private static readonly Duration RetryAfter = Duration.FromSeconds(5);

    private EventSourcedStream<MarketDayAggregate> _stream = null!;
    private IGrainTimer? _timer;
    private string _region = "";
    private LocalDate _day;
    private IReadOnlyList<MarketProduct> _products = [];
    private Instant _gate;
    private bool _creditPending;
    private IGrainReminder? _reminder;

    private MarketOptions Options => options.Value;
    private MarketDayAggregate State => _stream.State;
    private string DayText => LocalDatePattern.Iso.Format(_day);

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.LastIndexOf('/');
        var parsed = slash > 0 ? LocalDatePattern.Iso.Parse(key[(slash + 1)..]) : null;
        if (parsed is not { Success: true }) throw new ArgumentException($"Market day key '{key}' is not \"{{region}}/{{yyyy-MM-dd}}\".");
        (_region, _day) = (key[..slash], parsed.Value);
        _products = Options.Calendar.Products(_day);
        _gate = Options.Calendar.GateClosure(_day);
        _stream = new EventSourcedStream<MarketDayAggregate>(store, StreamKeys.MarketDay(Options.Market, _region, DayText));
        await _stream.LoadAsync(ct);
        // Credits follow each settlement at once; only the last one can have been cut short.
        _creditPending = State.Settled.Count > 0;
    }

    public async Task Arm()
    {
        if (await StepAsync() && _reminder is null)
            _reminder = await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));
    }

    public Task ReceiveReminder(string reminderName, Orleans.Runtime.TickStatus status) => StepAsync();

    public Task<MarketDayView> GetView() => Task.FromResult(State.View(Options.Market, _region, DayText, _gate, _products));

    /// <summary>Does what is due and sets the timer for what comes next; false when the day has nothing left to do.</summary>
    private async Task<bool> StepAsync()
    {
        Instant? next;
        try
        {
            next = await DoWhatIsDueAsync(clock.GetCurrentInstant());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Market day {Region} {Day}: step failed; retrying in {Seconds} s", _region, DayText, RetryAfter.TotalSeconds);
            next = clock.GetCurrentInstant() + RetryAfter;
        }
        _timer?.Dispose();
        _timer = null;
        if (next is { } due)
        {
            var delay = due - clock.GetCurrentInstant();
            _timer = this.RegisterGrainTimer(_ => (Task)StepAsync(), new GrainTimerCreationOptions
            {
                DueTime = (delay < Duration.Zero ? Duration.Zero : delay).ToTimeSpan(), Period = Timeout.InfiniteTimeSpan, KeepAlive = true,
            });
        }
        else if ((_reminder ?? await this.GetReminder(ReminderName)) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
            _reminder = null;
        }
        return next is not null;
    }

    /// <summary>Does everything due at <paramref name="now"/>; returns when to look again (null: nothing left).</summary>
    private async Task<Instant?> DoWhatIsDueAsync(Instant now)
    {
        if (_creditPending && State.Settled.Count > 0)
        {
            await CreditAsync(State.Settled.Values.MaxBy(s => s.Start)!);
            _creditPending = false;
        }
        if (!State.BidsDecided)
        {
            // A day that went by entirely without the VPP (e.g. before it was deployed) has nothing to record.
            if (now >= _gate && (_products.Count == 0 || now >= _products[^1].Delivery.End)) return null;
            if (now >= _gate) await Append(new BidNotSubmitted(Options.Market, _region, DayText, "the gate closed before bids were built", now));
            else if (now < _gate - Options.BidLead) return _gate - Options.BidLead;
            else await BidAsync(now);
            if (!State.BidsDecided) return Instant.Min(now + RetryAfter, _gate);
        }
        if (State.NotSubmitted is not null) return null;
        if (State.Awards is null)
        {
            if (now < _gate) return _gate;
            if (await exchange.AwardsAsync(Options.Market, _region, _day, CancellationToken.None) is not { } awards) return now + RetryAfter;
            await Append(new BidAwarded(Options.Market, _region, DayText,
                awards.Select(a => new AwardedProduct(a.ProductIndex, a.Delivery.Start, a.Delivery.End, a.AwardedKw, a.ClearingPriceEurPerMwh)).ToList(),
                clock.GetCurrentInstant()));
        }

        Instant? next = null;
        void Wake(Instant at) => next = next is { } n ? Instant.Min(n, at) : at;
        foreach (var award in State.Traded.OrderBy(a => a.Start))
        {
            if (State.Settled.ContainsKey(award.ProductIndex)) continue;
            now = clock.GetCurrentInstant();
            if (!State.Dispatched.ContainsKey(award.ProductIndex))
            {
                if (now >= award.End) await SettleAsync(award, null, "the award was never dispatched (the VPP was down)");
                else if (now >= award.Start - Options.DispatchLead) await DispatchAsync(award);
                else Wake(award.Start - Options.DispatchLead);
                continue;
            }
            if (now < award.End) { Wake(award.End); continue; }
            var view = await GrainFactory.GetGrain<IDispatchGrain>(State.Dispatched[award.ProductIndex]).GetView();
            if (view?.Status is DispatchStatus.Completed or DispatchStatus.Rejected or DispatchStatus.Cancelled) await SettleAsync(award, view, null);
            else Wake(now + Duration.FromSeconds(1));
        }
        return next;
    }

    private async Task BidAsync(Instant now)
    {
        var fleet = await GrainFactory.GetGrain<IGridRegionGrain>(_region).GetFleet();
        var before = Options.Calendar.Products(_day.PlusDays(-1));
        var window = before.Count == 0 ? new Interval(now, now) : new Interval(before[0].Delivery.Start, before[^1].Delivery.End);
        var prices = await exchange.PricesAsync(Options.Market, window, CancellationToken.None);
        var plan = DayAheadPlanner.Plan(new PlannerFleet(fleet.UsableKwh, fleet.InitialKwh, fleet.MaxChargeKw, fleet.MaxDischargeKw, Options.RoundTripEfficiency),
            _products, before, prices, Options.DegradationEurPerKwh, Options.MinBidKw);
        now = clock.GetCurrentInstant();
        var events = new List<object>();
        if (plan.Intervals.Count > 0)
            events.Add(new ScheduleBuilt(Options.Market, _region, DayText, fleet.Sites, fleet.UsableKwh, fleet.InitialKwh, fleet.MaxChargeKw, fleet.MaxDischargeKw,
                plan.Intervals.Select(i => new PlannedProduct(i.Product.Index, i.Product.Delivery.Start, i.Product.Delivery.End, i.ForecastEurPerMwh, i.ScheduledKw)).ToList(),
                plan.ExpectedProfitEur, "persistence: each product at the same product's clearing price the day before", now));
        if (plan.NothingToBid is { } reason)
        {
            events.Add(new BidNotSubmitted(Options.Market, _region, DayText, reason, now));
        }
        else
        {
            try
            {
                await exchange.SubmitAsync(Options.Market, _region, _day, plan.Curves, CancellationToken.None);
                events.Add(new BidSubmitted(Options.Market, _region, DayText, plan.Curves.ToList(), clock.GetCurrentInstant()));
            }
            catch (ExchangeRefusedException e)
            {
                events.Add(new BidNotSubmitted(Options.Market, _region, DayText, "the exchange refused the bids: " + e.Message, clock.GetCurrentInstant()));
            }
        }
        await _stream.ExecuteAsync(_ => events);
        log.LogInformation("Market day {Region} {Day}: {Outcome}", _region, DayText,
            State.Bids is { } b ? $"{b.Curves.Count} product curves submitted" : State.NotSubmitted?.Reason);
    }

    private async Task DispatchAsync(AwardedProduct award)
    {
        var requestId = $"market-{_region}-{DayText}-{award.ProductIndex:D3}";
        await GrainFactory.GetGrain<IDispatchGrain>(requestId)
            .Request(new DispatchRequest(requestId, _region, award.Start, award.End, award.AwardedKw, 0), requestId);
        await Append(new AwardDispatched(Options.Market, _region, DayText, award.ProductIndex, requestId, clock.GetCurrentInstant()));
    }

    private async Task SettleAsync(AwardedProduct award, DispatchView? view, string? note)
    {
        var delivered = view?.DeliveredKwh ?? 0;
        var product = Settlement.SettleWithPenalty(
            new ProductAward(award.ProductIndex, new Interval(award.Start, award.End), award.AwardedKw, award.ClearingPriceEurPerMwh),
            delivered, Options.ImbalancePenaltyEurPerMwh);
        var bySite = view?.DeliveredKwhBySite ?? new Dictionary<string, double>();
        var shares = Settlement.SiteShares(product, bySite);
        note ??= view?.Status is DispatchStatus.Rejected or DispatchStatus.Cancelled ? $"the dispatch was {view.Status.ToString().ToLowerInvariant()}: {view.Reason}" : null;
        var settled = new IntervalSettled(Options.Market, _region, DayText, award.ProductIndex, award.Start, award.End, product.AwardedKwh, product.DeliveredKwh,
            product.ImbalanceKwh, product.MarketEur, product.ImbalanceEur, bySite.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal),
            shares.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal), note,
            clock.GetCurrentInstant());
        await Append(settled);
        await CreditAsync(settled);
    }

    private async Task CreditAsync(IntervalSettled settled)
    {
        var id = $"{_stream.StreamKey}:{settled.ProductIndex}";
        await Task.WhenAll(settled.SiteEur.Select(s => GrainFactory.GetGrain<ISiteGrain>(s.Key).CreditEarnings(id,
            new SiteEarning(Options.Market, settled.Start, settled.End, settled.SiteDeliveredKwh.GetValueOrDefault(s.Key), s.Value, settled.At))));
    }

    private Task Append(object e) => _stream.ExecuteAsync(_ => [e]);
}
