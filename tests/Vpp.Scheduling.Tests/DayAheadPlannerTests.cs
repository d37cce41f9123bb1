using NodaTime;
using Vpp.Domain.Markets;

namespace Vpp.Scheduling.Tests;

public class DayAheadPlannerTests
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly MarketCalendar DayAhead = MarketCalendar.DayAhead(Berlin);
    private static readonly PlannerFleet Fleet = new(UsableKwh: 800, InitialKwh: 400, MaxChargeKw: 500, MaxDischargeKw: 500, RoundTripEfficiency: 0.9);

    /// <summary>The day before's prices: 20 EUR/MWh at night and noon, 200 in the evening peak (17:00–20:00).</summary>
    private static Dictionary<Instant, double> DayBefore(LocalDate day) =>
        DayAhead.Products(day.PlusDays(-1)).ToDictionary(p => p.Delivery.Start, p => Peak(p.Delivery.Start) ? 200.0 : 20.0);

    private static bool Peak(Instant start) => start.InZone(Berlin).Hour is >= 17 and < 20;

    [Fact]
    public void The_forecast_is_the_day_befores_price_of_the_same_product_and_the_plan_buys_cheap_and_sells_dear()
    {
        var day = new LocalDate(2026, 11, 25);

        var plan = DayAheadPlanner.Plan(Fleet, DayAhead.Products(day), DayAhead.Products(day.PlusDays(-1)), DayBefore(day), 0.02, 100);

        plan.NothingToBid.Should().BeNull();
        plan.Intervals.Should().HaveCount(96);
        plan.Intervals.Should().OnlyContain(i => i.ForecastEurPerMwh == (Peak(i.Product.Delivery.Start) ? 200 : 20));
        plan.Intervals.Where(i => i.ForecastEurPerMwh == 200).Sum(i => i.ScheduledKw).Should().BeGreaterThan(0, "the fleet sells in the peak");
        plan.Intervals.Where(i => i.ForecastEurPerMwh == 20).Sum(i => i.ScheduledKw).Should().BeLessThan(0, "and buys back when it is cheap");
        plan.ExpectedProfitEur.Should().BeGreaterThan(0);
        plan.Curves.Should().NotBeEmpty().And.OnlyContain(c => c.Problem(100) == null, "every curve is valid for the market");
        plan.Curves.Select(c => c.ProductIndex).Should().OnlyHaveUniqueItems().And.OnlyContain(i => i >= 0 && i < 96);
    }

    [Fact]
    public void A_daylight_saving_day_with_more_products_than_the_day_before_forecasts_the_extra_ones_at_the_mean()
    {
        var day = new LocalDate(2026, 10, 25); // 100 quarter-hours after a 96-quarter-hour day

        var plan = DayAheadPlanner.Plan(Fleet, DayAhead.Products(day), DayAhead.Products(day.PlusDays(-1)), DayBefore(day), 0.02, 100);

        plan.Intervals.Should().HaveCount(100);
        var mean = DayBefore(day).Values.Average();
        plan.Intervals.Skip(96).Should().OnlyContain(i => Math.Abs(i.ForecastEurPerMwh - mean) < 1e-9);
    }

    [Fact]
    public void Reserve_and_limits_given_for_the_first_products_apply_to_those_and_are_clamped_to_what_the_fleet_can_do()
    {
        var day = new LocalDate(2026, 11, 25);
        var asymmetric = Fleet with { MaxChargeKw = 300 };   // 500 kW out, 300 kW in

        var plan = DayAheadPlanner.Plan(asymmetric, DayAhead.Products(day), DayAhead.Products(day.PlusDays(-1)), DayBefore(day), 0.02, 100,
            reserveKw: [10_000, 50], limits: [(50, 50), (-5, -5)]);

        plan.NothingToBid.Should().BeNull();
        plan.Intervals[0].ReserveKw.Should().Be(300, "no more reserve than the fleet can move both ways");
        plan.Intervals[1].ReserveKw.Should().Be(50);
        plan.Intervals.Skip(2).Should().OnlyContain(i => i.ReserveKw == 0, "products without a given reserve hold none");
        plan.Intervals[1].ScheduledKw.Should().Be(0, "a negative envelope is read as none at all, not as a bound below zero");
        plan.Intervals.Skip(2).Should().Contain(i => i.ScheduledKw < -50, "products without limits trade freely");
    }

    [Fact]
    public void A_plan_the_reserve_makes_infeasible_bids_nothing_and_says_so()
    {
        // 100 kWh cannot keep 15 minutes of 500 kW both ways (about 130 kWh each way) at any state of charge.
        var day = new LocalDate(2026, 11, 25);
        var small = Fleet with { UsableKwh = 100, InitialKwh = 50 };
        var reserve = DayAhead.Products(day).Select(_ => 500.0).ToList();

        var plan = DayAheadPlanner.Plan(small, DayAhead.Products(day), DayAhead.Products(day.PlusDays(-1)), DayBefore(day), 0.02, 100, reserve);

        plan.Curves.Should().BeEmpty();
        plan.ExpectedProfitEur.Should().Be(0);
        plan.NothingToBid.Should().Contain("reserve");
        plan.Intervals.Should().HaveCount(96).And.OnlyContain(i => i.ReserveKw == 500 && i.ScheduledKw == 0, "nothing is scheduled beside the reserve");
    }

    [Fact]
    public void Without_prices_of_the_day_before_or_without_batteries_there_is_nothing_to_bid_and_the_plan_says_why()
    {
        var day = new LocalDate(2026, 11, 25);
        var products = DayAhead.Products(day);
        var before = DayAhead.Products(day.PlusDays(-1));

        DayAheadPlanner.Plan(Fleet, products, before, new Dictionary<Instant, double>(), 0.02, 100)
            .NothingToBid.Should().Contain("no clearing prices");
        DayAheadPlanner.Plan(Fleet with { UsableKwh = 0, InitialKwh = 0 }, products, before, DayBefore(day), 0.02, 100)
            .NothingToBid.Should().Contain("no battery capacity");
        // Flat prices: nothing to gain once wear is paid for.
        DayAheadPlanner.Plan(Fleet, products, before, before.ToDictionary(p => p.Delivery.Start, _ => 50.0), 0.02, 100)
            .NothingToBid.Should().Contain("nothing worth trading");
    }

    [Fact]
    public void A_fleet_smaller_than_the_minimum_bid_bids_nothing()
    {
        var day = new LocalDate(2026, 11, 25);
        var small = new PlannerFleet(UsableKwh: 16, InitialKwh: 8, MaxChargeKw: 10, MaxDischargeKw: 10, RoundTripEfficiency: 0.9);

        var plan = DayAheadPlanner.Plan(small, DayAhead.Products(day), DayAhead.Products(day.PlusDays(-1)), DayBefore(day), 0.02, minBidKw: 100);

        plan.Curves.Should().BeEmpty();
        plan.NothingToBid.Should().Contain("nothing worth trading");
    }

    [Fact]
    public void Operating_envelopes_bound_each_products_net_power_and_reserve_is_kept_free()
    {
        var day = new LocalDate(2026, 11, 25);
        var products = DayAhead.Products(day);
        // No export in the peak (an envelope of 0 kW), 200 kW at most otherwise; 100 kW of reserve held in the first four hours.
        var limits = products.Select(p => (UpKw: Peak(p.Delivery.Start) ? 0.0 : 200.0, DownKw: 200.0)).ToList();
        var reserve = products.Select(p => p.Index < 16 ? 100.0 : 0).ToList();

        var plan = DayAheadPlanner.Plan(Fleet, products, DayAhead.Products(day.PlusDays(-1)), DayBefore(day), 0.02, 100, reserve, limits);

        plan.Intervals.Should().OnlyContain(i => i.ScheduledKw <= limits[i.Product.Index].UpKw + 1e-6 && -i.ScheduledKw <= limits[i.Product.Index].DownKw + 1e-6);
        plan.Intervals.Where(i => Peak(i.Product.Delivery.Start)).Should().OnlyContain(i => i.ScheduledKw <= 1e-6, "nothing is sold into a closed envelope");
        plan.Intervals.Take(16).Should().OnlyContain(i => i.ReserveKw == 100 && Math.Abs(i.ScheduledKw) <= Fleet.MaxDischargeKw - 100 + 1e-6);
    }

    [Fact]
    public void With_the_homes_one_by_one_a_product_bids_no_more_than_the_homes_can_trade_without_lending_power()
    {
        // Two 10 kWh / 5 kW homes, one full and one empty: pooled, 10 kW can be sold while 10 kWh are stored. The day
        // before was dear from 00:00 to 01:00 and cheap after it. Pooled, the first hour sells 10 kW; the full home
        // alone can sell only its 5 kW, and the empty one nothing.
        var day = new LocalDate(2026, 11, 25);
        var before = DayAhead.Products(day.PlusDays(-1));
        var prices = before.ToDictionary(p => p.Delivery.Start, p => p.Index < 4 ? 250.0 : 30.0);
        var pooled = new PlannerFleet(20, 10, 10, 10, 1);
        PlannerFleet[] homes = [new(10, 10, 5, 5, 1), new(10, 0, 5, 5, 1)];

        var alone = DayAheadPlanner.Plan(pooled, DayAhead.Products(day), before, prices, 0.001, minBidKw: 1);
        var oneByOne = DayAheadPlanner.Plan(pooled, DayAhead.Products(day), before, prices, 0.001, minBidKw: 1, homes: homes);

        alone.Curves.Single(c => c.ProductIndex == 0).Steps.Max(s => s.QuantityKw).Should().BeApproximately(10, 1e-6);
        oneByOne.Curves.Single(c => c.ProductIndex == 0).Steps.Max(s => s.QuantityKw).Should().BeApproximately(5, 1e-6);
        oneByOne.Curves.Should().OnlyContain(c => c.Steps.All(s => Math.Abs(s.QuantityKw) <= 10 + 1e-6));
        oneByOne.Intervals[0].ScheduledKw.Should().BeApproximately(5, 1e-6, "the published plan is the homes' plan, as bid");
        oneByOne.ExpectedProfitEur.Should().BeLessThan(alone.ExpectedProfitEur, "pooling overstates what the homes earn");
    }
}
