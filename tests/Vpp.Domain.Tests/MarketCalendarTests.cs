using NodaTime;
using Vpp.Domain.Markets;

namespace Vpp.Domain.Tests;

public class MarketCalendarTests
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly MarketCalendar DayAhead = MarketCalendar.DayAhead(Berlin);
    private static readonly MarketCalendar Reserve = MarketCalendar.ReserveCapacity(Berlin);

    [Theory]
    [InlineData(2026, 3, 29, 92)]  // clocks go forward: a 23-hour day
    [InlineData(2026, 10, 25, 100)] // clocks go back: a 25-hour day
    [InlineData(2026, 11, 24, 96)]
    [InlineData(2026, 6, 21, 96)]
    public void A_day_ahead_delivery_day_has_a_quarter_hour_product_for_every_quarter_hour_it_lasts(int y, int m, int d, int expected)
    {
        var products = DayAhead.Products(new LocalDate(y, m, d));

        products.Should().HaveCount(expected);
        products.Should().OnlyContain(p => p.Delivery.Duration == Duration.FromMinutes(15));
        products.Select(p => p.Index).Should().Equal(Enumerable.Range(0, expected));
        products[0].Delivery.Start.Should().Be(Berlin.AtStartOfDay(new LocalDate(y, m, d)).ToInstant());
        products.Zip(products.Skip(1)).Should().OnlyContain(x => x.First.Delivery.End == x.Second.Delivery.Start, "products tile the day");
        products[^1].Delivery.End.Should().Be(Berlin.AtStartOfDay(new LocalDate(y, m, d).PlusDays(1)).ToInstant());
    }

    [Fact]
    public void Reserve_blocks_follow_local_time_so_the_first_block_of_a_daylight_saving_day_is_3_or_5_hours()
    {
        Reserve.Products(new LocalDate(2026, 3, 29)).Select(p => p.Delivery.Duration.TotalHours).Should().Equal(3, 4, 4, 4, 4, 4);
        Reserve.Products(new LocalDate(2026, 10, 25)).Select(p => p.Delivery.Duration.TotalHours).Should().Equal(5, 4, 4, 4, 4, 4);
        var normal = Reserve.Products(new LocalDate(2026, 11, 24));
        normal.Select(p => p.Delivery.Duration.TotalHours).Should().Equal(4, 4, 4, 4, 4, 4);
        normal[2].Delivery.Start.Should().Be(Instant.FromUtc(2026, 11, 24, 7, 0), "08:00 CET");
    }

    [Fact]
    public void Gate_closure_is_the_day_before_in_local_time_across_the_clock_change()
    {
        DayAhead.GateClosure(new LocalDate(2026, 3, 29)).Should().Be(Instant.FromUtc(2026, 3, 28, 11, 0), "12:00 CET");
        DayAhead.GateClosure(new LocalDate(2026, 3, 30)).Should().Be(Instant.FromUtc(2026, 3, 29, 10, 0), "12:00 CEST");
        Reserve.GateClosure(new LocalDate(2026, 10, 26)).Should().Be(Instant.FromUtc(2026, 10, 25, 7, 0), "08:00 CET, the day the clocks went back");
    }

    [Fact]
    public void The_next_open_day_moves_on_at_gate_closure()
    {
        var closure = DayAhead.GateClosure(new LocalDate(2026, 11, 25));
        DayAhead.NextOpenDay(closure - Duration.FromSeconds(1)).Should().Be(new LocalDate(2026, 11, 25));
        DayAhead.NextOpenDay(closure).Should().Be(new LocalDate(2026, 11, 26));
    }

    [Fact]
    public void A_market_that_delivers_part_of_the_day_has_products_only_in_its_window()
    {
        // Like an intraday auction for the afternoon: 12:00–24:00 in quarter-hours.
        var afternoon = DayAhead with { DeliveryFrom = new LocalTime(12, 0), DeliveryTo = LocalTime.Midnight };
        var day = new LocalDate(2026, 11, 24);

        var products = afternoon.Products(day);

        products.Should().HaveCount(48);
        products[0].Delivery.Start.Should().Be(Berlin.AtStrictly(day.At(new LocalTime(12, 0))).ToInstant());
        products[^1].Delivery.End.Should().Be(Berlin.AtStartOfDay(day.PlusDays(1)).ToInstant());
        afternoon.Problem().Should().BeNull();
    }

    [Fact]
    public void The_markets_are_named_as_on_the_wire_and_reserve_blocks_are_numbered_in_order()
    {
        DayAhead.Name.Should().Be("day-ahead");
        Reserve.Name.Should().Be("reserve-capacity");
        Reserve.Products(new LocalDate(2026, 3, 29)).Select(p => p.Index).Should().Equal(0, 1, 2, 3, 4, 5);
    }

    [Fact]
    public void Edge_calendars_are_allowed_or_refused_by_their_own_rule()
    {
        (DayAhead with { GateClosureDaysBefore = 0 }).Problem().Should().BeNull("a gate on the delivery day itself, as intraday auctions have");
        (Reserve with { DeliveryTo = new LocalTime(20, 0) }).Problem().Should().Contain("sub-hourly", "an end alone is a partial day too");
        (DayAhead with { ProductLength = Period.FromHours(1), DeliveryFrom = new LocalTime(8, 0) }).Problem()
            .Should().Contain("sub-hourly", "an hour is not sub-hourly");
        (DayAhead with { ProductLength = Period.FromMinutes(30), DeliveryFrom = new LocalTime(8, 0) }).Problem().Should().BeNull();
    }

    [Fact]
    public void A_calendar_that_cannot_work_says_why()
    {
        (DayAhead with { DeliveryFrom = new LocalTime(14, 0), DeliveryTo = new LocalTime(12, 0) }).Problem().Should().Contain("ends before it starts");
        (Reserve with { DeliveryFrom = new LocalTime(8, 0) }).Problem().Should().Contain("sub-hourly");
        (DayAhead with { ProductLength = Period.Zero }).Problem().Should().Contain("positive");
        (DayAhead with { GateClosureDaysBefore = -1 }).Problem().Should().Contain("gate closure");
        DayAhead.Problem().Should().BeNull();
    }
}
