using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Text;
using Vpp.Contracts.Markets;
using Vpp.Contracts.Sites;
using Vpp.Domain.Markets;
using Vpp.Grains.EventSourcing;
using Vpp.Grains.Hosting;
using Vpp.Persistence.Events;
using Vpp.Persistence.EventStore;

namespace Vpp.Grains.Markets;

/// <summary>
/// What every market day has in common (key "{region}/{yyyy-MM-dd}"): what is due is worked out
/// from the stream and the clock on every step, so a repeated step, a late reminder or a restart
/// does the right thing. Bids at gate closure − lead, awards from gate closure, then the market's
/// own execution and settlement. A reminder keeps an unfinished day alive (every 5 minutes); a
/// timer wakes it for the next due instant; a failed step is retried after 5 s.
/// </summary>
public abstract class MarketDayGrainBase(IEventStore store, IClock clock, IMarketExchange exchange, ILogger log) : Grain, IRemindable
{
    private const string ReminderName = "market-day";
    protected static readonly Duration RetryAfter = Duration.FromSeconds(5);

    private EventSourcedStream<MarketDayAggregate> _stream = null!;
    private IGrainTimer? _timer;
    private IGrainReminder? _reminder;
    private bool _creditPending;

    protected abstract string Market { get; }
    protected abstract MarketCalendar Calendar { get; }
    protected abstract Duration BidLead { get; }

    protected IClock Clock => clock;
    protected IMarketExchange Exchange => exchange;
    protected ILogger Log => log;
    protected string Region { get; private set; } = "";
    protected LocalDate Day { get; private set; }
    protected string DayText => LocalDatePattern.Iso.Format(Day);
    protected IReadOnlyList<MarketProduct> Products { get; private set; } = [];
    protected Instant Gate { get; private set; }
    protected MarketDayAggregate State => _stream.State;
    protected string StreamKey => _stream.StreamKey;

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.LastIndexOf('/');
        var parsed = slash > 0 ? LocalDatePattern.Iso.Parse(key[(slash + 1)..]) : null;
        if (parsed is not { Success: true }) throw new ArgumentException($"Market day key '{key}' is not \"{{region}}/{{yyyy-MM-dd}}\".");
        (Region, Day) = (key[..slash], parsed.Value);
        Products = Calendar.Products(Day);
        Gate = Calendar.GateClosure(Day);
        _stream = new EventSourcedStream<MarketDayAggregate>(store, StreamKeys.MarketDay(Market, Region, DayText));
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

    public Task<MarketDayView> GetView() => Task.FromResult(State.View(Market, Region, DayText, Gate, Products));

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
            log.LogWarning(e, "Market day {Market} {Region} {Day}: step failed; retrying in {Seconds} s", Market, Region, DayText, RetryAfter.TotalSeconds);
            next = clock.GetCurrentInstant() + RetryAfter;
        }
        _timer?.Dispose();
        _timer = null;
        if (next is { } due)
        {
            var delay = due - clock.GetCurrentInstant();
            _timer = this.RegisterGrainTimer(_ => (Task)StepAsync(), new GrainTimerCreationOptions
            {
                DueTime = TimerWait.DueTime(delay), Period = Timeout.InfiniteTimeSpan, KeepAlive = true,
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
            if (now >= Gate && (Products.Count == 0 || now >= Products[^1].Delivery.End)) return null;
            if (now >= Gate) await Append(new BidNotSubmitted(Market, Region, DayText, "the gate closed before bids were built", now));
            else if (now < Gate - BidLead) return Gate - BidLead;
            else await BidAsync(now);
            if (!State.BidsDecided) return Instant.Min(now + RetryAfter, Gate);
        }
        if (State.NotSubmitted is not null) return null;
        if (State.Awards is null)
        {
            if (now < Gate) return Gate;
            if (await exchange.AwardsAsync(Market, Region, Day, CancellationToken.None) is not { } awards) return now + RetryAfter;
            await Append(new BidAwarded(Market, Region, DayText,
                awards.Select(a => new AwardedProduct(a.ProductIndex, a.Delivery.Start, a.Delivery.End, a.AwardedKw, a.ClearingPriceEurPerMwh)).ToList(),
                clock.GetCurrentInstant()));
        }
        return await ExecuteAwardsAsync();
    }

    /// <summary>Plans and submits the day's bids, recording BidSubmitted or BidNotSubmitted (or nothing, to be retried).</summary>
    protected abstract Task BidAsync(Instant now);

    /// <summary>Executes and settles the awards as they fall due; returns when to look again (null: all settled).</summary>
    protected abstract Task<Instant?> ExecuteAwardsAsync();

    /// <summary>Submits the curves (or records why there are none) with what the plan recorded first.</summary>
    protected async Task SubmitAsync(IReadOnlyList<object> planned, IReadOnlyList<BidCurve> curves, string? nothingToBid)
    {
        var events = planned.ToList();
        if (nothingToBid is { } reason)
        {
            events.Add(new BidNotSubmitted(Market, Region, DayText, reason, clock.GetCurrentInstant()));
        }
        else
        {
            try
            {
                await exchange.SubmitAsync(Market, Region, Day, curves, CancellationToken.None);
                events.Add(new BidSubmitted(Market, Region, DayText, curves.ToList(), clock.GetCurrentInstant()));
            }
            catch (ExchangeRefusedException e)
            {
                events.Add(new BidNotSubmitted(Market, Region, DayText, "the exchange refused the bids: " + e.Message, clock.GetCurrentInstant()));
            }
        }
        await _stream.ExecuteAsync(_ => events);
        log.LogInformation("Market day {Market} {Region} {Day}: {Outcome}", Market, Region, DayText,
            State.Bids is { } b ? $"{b.Curves.Count} product curves submitted" : State.NotSubmitted?.Reason);
    }

    /// <summary>
    /// Settles one product: <paramref name="deliveredKwh"/> against the award, imbalance at the
    /// clearing price worsened by the penalty, each site's share by what it delivered; then credits the sites.
    /// </summary>
    protected async Task SettleAsync(AwardedProduct award, double deliveredKwh, IReadOnlyDictionary<string, double> deliveredKwhBySite, double penaltyEurPerMwh,
        string? note)
    {
        var product = Settlement.SettleWithPenalty(
            new ProductAward(award.ProductIndex, new Interval(award.Start, award.End), award.AwardedKw, award.ClearingPriceEurPerMwh), deliveredKwh, penaltyEurPerMwh);
        var shares = Settlement.SiteShares(product, deliveredKwhBySite);
        var settled = new IntervalSettled(Market, Region, DayText, award.ProductIndex, award.Start, award.End, product.AwardedKwh, product.DeliveredKwh,
            product.ImbalanceKwh, product.MarketEur, product.ImbalanceEur, deliveredKwhBySite.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal),
            shares.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal), note, clock.GetCurrentInstant());
        await Append(settled);
        await CreditAsync(settled);
    }

    private async Task CreditAsync(IntervalSettled settled)
    {
        var id = $"{_stream.StreamKey}:{settled.ProductIndex}";
        await Task.WhenAll(settled.SiteEur.Select(s => GrainFactory.GetGrain<ISiteGrain>(s.Key).CreditEarnings(id,
            new SiteEarning(Market, settled.Start, settled.End, EarningsEnergyKwh(settled, s.Key), s.Value, settled.At))));
    }

    /// <summary>The energy a home's earnings line records for a settled product (what it delivered).</summary>
    protected virtual double EarningsEnergyKwh(IntervalSettled settled, string siteId) => settled.SiteDeliveredKwh.GetValueOrDefault(siteId);

    protected Task Append(object e) => _stream.ExecuteAsync(_ => [e]);

    /// <summary>
    /// The products of the day before this one in <paramref name="calendar"/> and the clearing prices
    /// <paramref name="market"/> published for them (the persistence forecast's input).
    /// </summary>
    protected async Task<(IReadOnlyList<MarketProduct> Products, IReadOnlyDictionary<Instant, double> Prices)> DayBeforeAsync(MarketCalendar calendar, string market)
    {
        var before = calendar.Products(Day.PlusDays(-1));
        if (before.Count == 0) return (before, new Dictionary<Instant, double>());
        return (before, await Exchange.PricesAsync(market, new Interval(before[0].Delivery.Start, before[^1].Delivery.End), CancellationToken.None));
    }
}
