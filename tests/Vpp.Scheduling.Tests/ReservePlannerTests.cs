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
        offer.Curves.Should().HaveCount(6).And.OnlyContain(c => c.Steps.Count == 1 && c.Steps[0].PriceEurPerMwh == 5 && c.Steps[0].QuantityKw == 2000);
        offer.Curves.Should().OnlyContain(c => c.Problem(1000) == null);

        var small = ReservePlanner.Offer(new PlannerFleet(80, 40, 20, 20, 0.9), blocks, minBidKw: 1000, floorPriceEurPerMwh: 5);
        small.Curves.Should().BeEmpty();
        small.NothingToBid.Should().Contain("below the minimum bid of 1000 kW");
    }
}
