using NodaTime;
using Vpp.Domain.Markets;

namespace Vpp.Scheduling.Tests;

public class ReservePlannerTests
{
    private static readonly MarketCalendar Reserve = MarketCalendar.ReserveCapacity(DateTimeZoneProviders.Tzdb["Europe/Berlin"]);

    [Theory]
    // usable, initial, max charge, max discharge → symmetric kW held 15 min both ways
    [InlineData(800, 400, 500, 500, 500)]   // power-limited
    [InlineData(800, 100, 500, 500, 400)]   // 100 kWh above the reserves last 15 min at 400 kW
    [InlineData(800, 750, 500, 500, 200)]   // 50 kWh of room below full
    [InlineData(800, 400, 300, 500, 300)]   // the weaker direction decides
    [InlineData(0, 0, 500, 500, 0)]
    public void The_offer_is_the_power_the_fleet_can_hold_both_ways_for_15_minutes(double usable, double initial, double charge, double discharge, double expected) =>
        ReservePlanner.SymmetricKw(new PlannerFleet(usable, initial, charge, discharge, 0.9)).Should().BeApproximately(expected, 1e-9);

    [Fact]
    public void Every_block_is_offered_at_the_floor_price_and_a_fleet_under_the_minimum_bid_offers_nothing()
    {
        var blocks = Reserve.Products(new LocalDate(2026, 11, 25));

        var offer = ReservePlanner.Offer(new PlannerFleet(8000, 4000, 2000, 2000, 0.9), blocks, minBidKw: 1000, floorPriceEurPerMwh: 5);
        offer.Curves.Should().HaveCount(6).And.OnlyContain(c => c.Steps.Count == 1 && c.Steps[0].PriceEurPerMwh == 5 && c.Steps[0].QuantityKw == 1600,
            "four fifths of the 2 000 kW held both ways: a fifth stays free for SoC restoration");
        offer.Curves.Should().OnlyContain(c => c.Problem(1000) == null);

        var small = ReservePlanner.Offer(new PlannerFleet(80, 40, 20, 20, 0.9), blocks, minBidKw: 1000, floorPriceEurPerMwh: 5);
        small.Curves.Should().BeEmpty();
        small.NothingToBid.Should().Contain("below the minimum bid of 1000 kW");
    }

    [Fact]
    public void The_offer_is_no_more_than_the_batteries_can_hold_both_ways_one_by_one()
    {
        // Pooled, 3 000 kW charge and 3 000 kW discharge; but one group of batteries discharges at 2 000
        // and charges at 1 000, the other the opposite: per battery, only 1 000 + 1 000 both ways.
        var fleet = new PlannerFleet(8000, 4000, 3000, 3000, 0.9);
        var blocks = Reserve.Products(new LocalDate(2026, 11, 25));

        ReservePlanner.Offer(fleet, blocks, 1000, 5).Curves[0].Steps[0].QuantityKw.Should().Be(2400);
        ReservePlanner.Offer(fleet, blocks, 1000, 5, batteriesSymmetricKw: 2000).Curves.Should().OnlyContain(c => c.Steps[0].QuantityKw == 1600);
        ReservePlanner.Offer(fleet, blocks, 1000, 5, batteriesSymmetricKw: 1200).Curves.Should().BeEmpty("four fifths of 1 200 kW is below the 1 MW minimum");
    }

    [Fact]
    public void A_block_is_offered_at_what_holding_it_back_costs_the_energy_plan_by_hand()
    {
        // Eight hourly energy products: 0 EUR/MWh for four hours, then 100. A lossless 4 000 kWh fleet at
        // 2 000 kWh, 1 000 kW both ways, that must end the day where it started: it charges 2 000 kWh
        // while cheap and sells them dear, 200 EUR. The offer is four fifths of 1 000 kW = 800 kW. Held in
        // either block, 800 kW leaves 200 kW to trade there: 800 kWh bought and sold, 80 EUR. So a block
        // costs 120 EUR of energy profit for 0.8 MW over 4 h = 37.50 EUR/MW/h, over the 5 EUR floor.
        var start = Instant.FromUtc(2026, 11, 25, 0, 0);
        MarketProduct Hour(int i, int hours = 1) => new(i, new Interval(start + Duration.FromHours(i * hours), start + Duration.FromHours((i + 1) * hours)));
        var energy = Enumerable.Range(0, 8).Select(i => Hour(i)).ToList();
        var blocks = Enumerable.Range(0, 2).Select(i => Hour(i, 4)).ToList();
        var fleet = new PlannerFleet(4000, 2000, 1000, 1000, 1);
        var spread = new EnergyForecast(energy, [0, 0, 0, 0, 100, 100, 100, 100], 0);

        var offer = ReservePlanner.Offer(fleet, blocks, minBidKw: 100, floorPriceEurPerMwh: 5, energy: spread);

        offer.Curves.Should().HaveCount(2).And.OnlyContain(c => c.Steps.Single().QuantityKw == 800 && c.Steps.Single().PriceEurPerMwh == 37.5);
        var flat = ReservePlanner.Offer(fleet, blocks, 100, 5, energy: spread with { PricesEurPerMwh = Enumerable.Repeat(60.0, 8).ToList() });
        flat.Curves.Should().OnlyContain(c => c.Steps.Single().PriceEurPerMwh == 5, "nothing to lose: the floor price stands");
    }

    [Fact]
    public void The_energy_forecast_is_the_day_before_with_unknown_products_at_the_mean()
    {
        var start = Instant.FromUtc(2026, 11, 25, 0, 0);
        var before = Enumerable.Range(0, 3).Select(i => new MarketProduct(i, new Interval(start + Duration.FromHours(i), start + Duration.FromHours(i + 1)))).ToList();
        var day = before.Select(p => new MarketProduct(p.Index, new Interval(p.Delivery.Start + Duration.FromDays(1), p.Delivery.End + Duration.FromDays(1)))).ToList();
        var prices = new Dictionary<Instant, double> { [before[0].Delivery.Start] = 10, [before[2].Delivery.Start] = 30 };

        EnergyForecast.Persistence(day, before, prices, 0.02)!.PricesEurPerMwh.Should().Equal(10, 20, 30);
        EnergyForecast.Persistence(day, before, new Dictionary<Instant, double>(), 0.02).Should().BeNull();
    }
}
