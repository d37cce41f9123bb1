using Vpp.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using Vpp.Contracts.Grid;
using Vpp.Contracts.Markets;
using Vpp.Contracts.Sites;
using Vpp.Domain.Markets;
using Vpp.Grains.Hosting;
using Vpp.Persistence.Events;

namespace Vpp.Grains.Tests;

/// <summary>
/// A market day's decisions against a scripted exchange and a fake clock: each call to Arm does
/// what is due at the clock's time (timers and reminders would do the same in real time).
/// </summary>
public sealed class MarketDayGrainTests : IClassFixture<TwinCluster>
{
    private readonly TwinCluster cluster;

    /// <summary>xUnit makes one instance per test: a test that failed half-way leaves no scripted outage or clearing behind.</summary>
    public MarketDayGrainTests(TwinCluster cluster)
    {
        this.cluster = cluster;
        cluster.Exchange.ResetScript();
    }

    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly MarketCalendar DayAhead = MarketCalendar.DayAhead(Berlin);

    /// <summary>A region of ten 10 kWh / 5 kW homes at 60 % (20 % reserve), and the day before's prices: dear from 17:00 to 20:00.</summary>
    private async Task<LocalDate> PrepareAsync(string region, LocalDate day)
    {
        var grain = cluster.Client.GetGrain<IGridRegionGrain>(region);
        for (var i = 0; i < 10; i++)
            await grain.ReportCapability(new SiteCapabilityReport($"{region}-{i}", cluster.Clock.GetCurrentInstant(),
                [new BatteryCapabilityReport($"{region}-{i}-bat", 0, 5, 5, 4, 4, 0)], 0, [], true, null, [], 20));
        // Reports are one-way: wait until the region holds all ten before anything plans on them.
        await Eventually.Until(() => grain.GetFleet(), f => f.Sites == 10);
        foreach (var p in DayAhead.Products(day.PlusDays(-1)).Concat(DayAhead.Products(day)))
            cluster.Exchange.Prices[p.Delivery.Start] = p.Delivery.Start.InZone(Berlin).Hour is >= 17 and < 20 ? 250 : 30;
        return day;
    }

    /// <summary>The tests of this class share the cluster's clock; each works on its own days and sets the time it needs.</summary>
    private void ClockTo(Instant at) => cluster.Clock.Reset(at);

    private IMarketDayGrain Day(string region, LocalDate day) => cluster.Client.GetGrain<IMarketDayGrain>($"{region}/{day:yyyy-MM-dd}");

    private async Task<List<object>> Events(string region, LocalDate day) =>
        (await cluster.Events.ReadAsync(StreamKeys.MarketDay("day-ahead", region, $"{day:yyyy-MM-dd}"), 0)).Events.ToList();

    [Fact]
    public async Task An_exchange_outage_at_bidding_time_delays_the_bids_and_loses_nothing_and_a_day_the_vpp_missed_is_settled_as_undelivered()
    {
        var day = await PrepareAsync("mk-out", new LocalDate(2026, 12, 2));
        var grain = Day("mk-out", day);
        ClockTo(DayAhead.GateClosure(day) - Duration.FromMinutes(30));
        cluster.Exchange.Down = true;

        await grain.Arm();
        (await grain.GetView()).Status.Should().Be("open", "the exchange could not be reached");
        (await Events("mk-out", day)).Should().BeEmpty();

        cluster.Exchange.Down = false;
        await grain.Arm();
        await grain.Arm();
        var submitted = cluster.Exchange.Submissions.Where(s => s.Participant == "mk-out").ToList();
        submitted.Should().HaveCount(1, "bids go in once, however often the day is armed");
        (await grain.GetView()).Status.Should().Be("bids-submitted");
        var events = await Events("mk-out", day);
        events.OfType<ScheduleBuilt>().Single().Sites.Should().Be(10);
        events.OfType<BidSubmitted>().Single().Curves.Should().BeEquivalentTo(submitted[0].Bids);

        // Awards arrive after gate closure; then the VPP is "down" until the day is over: no dispatch was sent.
        ClockTo(DayAhead.GateClosure(day) + Duration.FromSeconds(1));
        cluster.Exchange.Cleared = true;
        await grain.Arm();
        var view = await grain.GetView();
        view.Status.Should().Be("awarded");
        var traded = view.Products.Where(p => p.AwardedKw is { } kw && Math.Abs(kw) > 1e-9).ToList();
        traded.Should().NotBeEmpty();
        traded.Where(p => p.ClearingPriceEurPerMwh == 250).Should().OnlyContain(p => p.AwardedKw > 0, "sold in the peak");

        ClockTo(Berlin.AtStartOfDay(day.PlusDays(1)).ToInstant() + Duration.FromMinutes(1));
        await grain.Arm();
        view = await grain.GetView();
        view.Status.Should().Be("settled");
        view.DeliveredKwh.Should().Be(0);
        var settled = (await Events("mk-out", day)).OfType<IntervalSettled>().ToList();
        settled.Should().HaveCount(traded.Count);
        settled.Should().OnlyContain(s => s.Note!.Contains("never dispatched") && Math.Abs(s.ImbalanceKwh + s.AwardedKwh) < 1e-12,
            "an award nobody delivered is all imbalance");
        // Hand-checked: a product sold at 250 EUR/MWh and not delivered pays back at 250 + 50.
        var sold = settled.First(s => s.AwardedKwh > 0);
        sold.ImbalanceEur.Should().BeApproximately(-sold.AwardedKwh * 300 / 1000, 1e-12);
        sold.MarketEur.Should().BeApproximately(sold.AwardedKwh * 250 / 1000, 1e-12);
    }

    [Fact]
    public async Task Bids_the_exchange_refuses_are_recorded_with_its_reason()
    {
        var day = await PrepareAsync("mk-ref", new LocalDate(2026, 12, 3));
        ClockTo(DayAhead.GateClosure(day) - Duration.FromMinutes(10));
        cluster.Exchange.Refuse = "product 3: step 0: 5 kW is below the minimum bid of 100 kW";
        try
        {
            await Day("mk-ref", day).Arm();
        }
        finally
        {
            cluster.Exchange.Refuse = null;
        }

        var view = await Day("mk-ref", day).GetView();
        view.Status.Should().Be("no-bids");
        view.Reason.Should().Be("the exchange refused the bids: product 3: step 0: 5 kW is below the minimum bid of 100 kW");
    }

    [Fact]
    public async Task A_gate_that_closed_before_bids_were_built_is_recorded_and_a_day_gone_by_records_nothing()
    {
        var day = await PrepareAsync("mk-late", new LocalDate(2026, 12, 6));
        ClockTo(DayAhead.GateClosure(day) + Duration.FromMinutes(5));

        await Day("mk-late", day).Arm();
        await Day("mk-late", day.PlusDays(-5)).Arm();

        (await Day("mk-late", day).GetView()).Reason.Should().Be("the gate closed before bids were built");
        (await Events("mk-late", day.PlusDays(-5))).Should().BeEmpty("the VPP did not exist for that day");
        cluster.Exchange.Submissions.Should().NotContain(s => s.Participant == "mk-late");
    }

    [Fact]
    public async Task With_opportunity_cost_pricing_the_evening_block_is_offered_at_what_it_costs_the_energy_plan()
    {
        var reserveMarket = MarketCalendar.ReserveCapacity(Berlin);
        var day = await PrepareAsync("oc", new LocalDate(2026, 12, 16));
        var options = cluster.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<IOptions<MarketOptions>>().Value.Reserve).ToList();
        try
        {
            foreach (var o in options) o.PriceAtOpportunityCost = true;
            ClockTo(reserveMarket.GateClosure(day) - Duration.FromMinutes(30));
            await cluster.Client.GetGrain<IReserveDayGrain>($"oc/{day:yyyy-MM-dd}").Arm();
        }
        finally
        {
            foreach (var o in options) o.PriceAtOpportunityCost = false;
        }

        // The day before sold dear from 17:00 to 20:00: holding 40 of the region's 50 kW in the 16:00–20:00 block would
        // leave 10 kW to sell then, so that block asks for more than the floor; the night block costs the plan nothing.
        var prices = cluster.Exchange.ReserveSubmissions.Single(s => s.Participant == "oc").Bids.OrderBy(c => c.ProductIndex)
            .Select(c => c.Steps.Single().PriceEurPerMwh).ToList();
        prices.Should().HaveCount(6);
        prices[0].Should().Be(5, "charging at night can move to other hours: the floor price stands");
        prices[4].Should().BeGreaterThan(prices.Where((_, i) => i != 4).Max()).And.BeGreaterThan(5);
    }

    [Fact]
    public async Task Reserve_capacity_awarded_is_held_back_from_the_energy_plan_committed_at_its_block_start_and_settled_to_the_homes()
    {
        var reserveMarket = MarketCalendar.ReserveCapacity(Berlin);
        var day = await PrepareAsync("rs", new LocalDate(2026, 12, 10));
        for (var i = 0; i < 10; i++) await cluster.RegisterHomeAsync($"rs-{i}");
        // Capacity pays 10 EUR/MW/h until 16:00 (above the 5 EUR floor) and 3 after it (below): four of six blocks are won.
        var blocks = reserveMarket.Products(day);
        foreach (var b in blocks) cluster.Exchange.ReservePrices[b.Delivery.Start] = b.Index < 4 ? 10 : 3;
        var reserve = cluster.Client.GetGrain<IReserveDayGrain>($"rs/{day:yyyy-MM-dd}");

        ClockTo(reserveMarket.GateClosure(day) - Duration.FromMinutes(30));
        await reserve.Arm();
        var offered = cluster.Exchange.ReserveSubmissions.Single(s => s.Participant == "rs").Bids;
        offered.Should().HaveCount(6).And.OnlyContain(c => c.Steps.Single().QuantityKw == 40,
            "ten homes with 5 kW each way and 4 kWh each way hold 50 kW for 15 minutes, of which four fifths are offered");
        ClockTo(reserveMarket.GateClosure(day) + Duration.FromSeconds(1));
        cluster.Exchange.Cleared = true;
        await reserve.Arm();
        (await reserve.GetView()).Products.Count(p => p.AwardedKw == 40).Should().Be(4);

        // The energy plan, built after the reserve auction, keeps the reserved blocks' power free.
        ClockTo(DayAhead.GateClosure(day) - Duration.FromMinutes(30));
        await Day("rs", day).Arm();
        var plan = (await Events("rs", day)).OfType<ScheduleBuilt>().Single().Products;
        var reservedUntil = blocks[3].Delivery.End;
        plan.Where(p => p.Start < reservedUntil).Should().OnlyContain(p => p.ReserveKw == 40 && Math.Abs(p.ScheduledKw) <= 10 + 1e-6,
            "40 of the 50 kW are held for frequency response until 16:00");
        plan.Where(p => p.Start >= reservedUntil).Should().OnlyContain(p => p.ReserveKw == 0);
        plan.Where(p => p.Start >= reservedUntil).Should().Contain(p => p.ScheduledKw > 1, "the evening peak is still sold");

        // Block 0 starts: the region commits the award as its frequency response until the block ends.
        ClockTo(blocks[0].Delivery.Start);
        await reserve.Arm();
        var response = await cluster.Client.GetGrain<IGridRegionGrain>("rs").GetFrequencyResponse();
        response.CommittedKw.Should().BeApproximately(40, 1e-3);
        response.Until.Should().Be(blocks[0].Delivery.End);
        response.SiteCommittedKw.Should().HaveCount(10);

        // After it, the block is settled: 40 kW × 4 h × 10 EUR/MW/h = 1.6 EUR, a tenth to each home.
        ClockTo(blocks[0].Delivery.End + Duration.FromSeconds(1));
        await reserve.Arm();
        var settled = (await cluster.Events.ReadAsync(StreamKeys.MarketDay("reserve-capacity", "rs", $"{day:yyyy-MM-dd}"), 0)).Events
            .OfType<IntervalSettled>().Single();
        settled.MarketEur.Should().BeApproximately(1.6, 1e-9);
        settled.ImbalanceEur.Should().BeApproximately(0, 1e-9);
        var earnings = await cluster.Client.GetGrain<ISiteGrain>("rs-3").GetEarnings();
        earnings.TotalEur.Should().BeApproximately(0.16, 1e-9);
        earnings.Latest.Single().Market.Should().Be("reserve-capacity");
        earnings.Latest.Single().DeliveredKwh.Should().Be(0, "capacity is not energy");
    }

    [Fact]
    public async Task Reserve_capacity_the_homes_cannot_hold_at_the_block_start_is_bought_back_at_the_price_plus_the_penalty()
    {
        var reserveMarket = MarketCalendar.ReserveCapacity(Berlin);
        var day = await PrepareAsync("rb", new LocalDate(2026, 12, 12));
        var blocks = reserveMarket.Products(day);
        foreach (var b in blocks) cluster.Exchange.ReservePrices[b.Delivery.Start] = 10;
        var reserve = cluster.Client.GetGrain<IReserveDayGrain>($"rb/{day:yyyy-MM-dd}");
        ClockTo(reserveMarket.GateClosure(day) - Duration.FromMinutes(30));
        await reserve.Arm();
        ClockTo(reserveMarket.GateClosure(day) + Duration.FromSeconds(1));
        cluster.Exchange.Cleared = true;
        await reserve.Arm();
        (await reserve.GetView()).Products[0].AwardedKw.Should().Be(40);

        // Before block 0 starts, half the homes leave the VPP: the other five hold 5 kW each, 25 of the 40 kW.
        var region = cluster.Client.GetGrain<IGridRegionGrain>("rb");
        for (var i = 0; i < 5; i++)
            await region.ReportCapability(new SiteCapabilityReport($"rb-{i}", cluster.Clock.GetCurrentInstant(),
                [new BatteryCapabilityReport($"rb-{i}-bat", 0, 5, 5, 4, 4, 0)], 0, [], false, null, [], 20));
        await Eventually.Until(() => region.GetFleet(), f => f.Sites == 5);
        ClockTo(blocks[0].Delivery.Start);
        await reserve.Arm();
        (await region.GetFrequencyResponse()).CommittedKw.Should().BeApproximately(25, 1e-3);

        ClockTo(blocks[0].Delivery.End + Duration.FromSeconds(1));
        await reserve.Arm();
        var settled = (await cluster.Events.ReadAsync(StreamKeys.MarketDay("reserve-capacity", "rb", $"{day:yyyy-MM-dd}"), 0)).Events
            .OfType<IntervalSettled>().Single(s => s.ProductIndex == 0);
        // By hand: paid 40 kW × 4 h × 10 EUR/MW/h = 1.6 EUR; the missing 15 kW × 4 h bought back at 10 + 50 EUR/MW/h = 3.6 EUR.
        settled.MarketEur.Should().BeApproximately(1.6, 1e-9);
        settled.ImbalanceKwh.Should().BeApproximately(-60, 1e-9);
        settled.ImbalanceEur.Should().BeApproximately(-3.6, 1e-9);
        settled.Note.Should().Contain("committed 25 of 40 kW");
        settled.SiteEur.Keys.Should().BeEquivalentTo(Enumerable.Range(5, 5).Select(i => $"rb-{i}"), "only homes that held capacity share the result");
        settled.SiteEur.Values.Sum().Should().BeApproximately(1.6 - 3.6, 1e-9);
    }

    [Fact]
    public async Task The_plan_trades_on_top_of_what_the_batteries_did_on_their_own_on_the_days_before()
    {
        const string region = "mk-base";
        var day = new LocalDate(2026, 12, 14);
        var grain = cluster.Client.GetGrain<IGridRegionGrain>(region);
        // One 25 kW home with 40 kWh above its reserve and 40 below full. Two days before: its PV charged it at 10 kW from
        // 10:00 to 15:00, otherwise it covered a 1 kW load; the day before, until bidding time, the same 1 kW.
        var from = Berlin.AtStrictly(day.PlusDays(-2).AtMidnight()).ToInstant();
        var bidAt = DayAhead.GateClosure(day) - Duration.FromMinutes(30);
        var quarters = 0;
        for (var q = from; q < bidAt; q += Duration.FromMinutes(15), quarters++)
        {
            ClockTo(q + Duration.FromMinutes(1));
            var local = q.InZone(Berlin);
            var kw = local.Date == day.PlusDays(-2) && local.Hour is >= 10 and < 15 ? -10 : 1;
            await grain.ReportCapability(new SiteCapabilityReport($"{region}-0", cluster.Clock.GetCurrentInstant(),
                [new BatteryCapabilityReport($"{region}-0-bat", kw, 25, 25, 40, 40, kw)], 0, [], true, null, [], 20));
            // Reports are one-way and may overtake each other (an older one is then ignored): each is handled before the next.
            var seen = quarters + 1;
            await Eventually.Until(() => grain.GetBaselineHistory(), h => h.Count == seen);
        }
        var history = await grain.GetBaselineHistory();
        history.Should().HaveCount(quarters, "a sample per quarter-hour").And.Subject.Count(q => q.Kw < 0).Should().Be(20, "five hours of PV charging");
        foreach (var p in DayAhead.Products(day.PlusDays(-1)).Concat(DayAhead.Products(day)))
            cluster.Exchange.Prices[p.Delivery.Start] = p.Delivery.Start.InZone(Berlin).Hour is >= 17 and < 20 ? 250 : 30;

        ClockTo(bidAt);
        await Day(region, day).Arm();

        var built = (await Events(region, day)).OfType<ScheduleBuilt>().Single();
        var products = DayAhead.Products(day);
        built.Products.Single(p => p.Start == products[4 * 12].Delivery.Start).BaselineKw.Should().Be(-10,
            "noon has not come yet on the day before, so two days before stands: PV charging");
        built.Products.Single(p => p.Start == products[4 * 8].Delivery.Start).BaselineKw.Should().Be(1, "08:00 the day before: the load");
        // From 11:30 to midnight the battery runs as two days before: 3.5 h charging 10 kW (94.9 % in), then 9 h at 1 kW out.
        var eta = Math.Sqrt(0.9);
        built.DayStartKwh.Should().BeApproximately(40 + 10 * 3.5 * eta - 1 * 9 / eta, 1e-6);
        built.BaselineForecast.Should().Contain("96 of the day's quarter-hours seen");
        // The plan's physical power (baseline + market) stays within the inverter in every product.
        built.Products.Should().OnlyContain(p => Math.Abs(p.BaselineKw + p.ScheduledKw) <= 25 + 1e-6);
    }

    [Fact]
    public async Task An_operating_envelope_that_forbids_export_in_the_peak_keeps_the_plan_from_selling_into_it()
    {
        var day = new LocalDate(2026, 12, 12);
        var peakFrom = Berlin.AtStrictly(day.At(new LocalTime(17, 0))).ToInstant();
        var peakUntil = Berlin.AtStrictly(day.At(new LocalTime(20, 0))).ToInstant();
        await PrepareAsync("env", day);
        var region = cluster.Client.GetGrain<IGridRegionGrain>("env");
        for (var i = 0; i < 10; i++)
            await region.ReportCapability(new SiteCapabilityReport($"env-{i}", cluster.Clock.GetCurrentInstant() + Duration.FromSeconds(1),
                [new BatteryCapabilityReport($"env-{i}-bat", 0, 5, 5, 4, 4, 0)], 0, [new OperatingEnvelope(10, 0, peakFrom, peakUntil)], true, null, [], 20));
        (await Eventually.Until(() => region.GetFleetLimits([peakFrom]), l => l[0].UpKw == 0)).Single().UpKw.Should().Be(0);

        ClockTo(DayAhead.GateClosure(day) - Duration.FromMinutes(30));
        await Day("env", day).Arm();

        var events = await Events("env", day);
        events.OfType<ScheduleBuilt>().Single().Products.Where(p => p.Start >= peakFrom && p.Start < peakUntil)
            .Should().OnlyContain(p => p.ScheduledKw <= 1e-6, "no export is allowed then");
        events.OfType<BidNotSubmitted>().Single().Reason.Should().Be("nothing worth trading at the forecast prices",
            "without the peak there is no spread worth the wear");
    }
}
