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
}
