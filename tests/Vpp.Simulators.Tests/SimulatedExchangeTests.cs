using NodaTime;
using Vpp.Domain.Markets;
using Vpp.Simulators.Market;

namespace Vpp.Simulators.Tests;

public class SimulatedExchangeTests
{
    private static readonly MarketCalendar DayAhead = MarketCalendar.DayAhead(DateTimeZoneProviders.Tzdb["Europe/Berlin"]);

    [Fact]
    public void Awards_each_product_what_its_curve_offers_at_the_clearing_price_from_the_series()
    {
        // 2026-11-25 00:00 Berlin = 2026-11-24T23:00Z: products 0 and 1.
        var csv = new StringReader("ts,priceEurPerMwh\n2026-11-24T23:00:00Z,35.5\n2026-11-24T23:15:00Z,-12\n");
        var exchange = SimulatedExchange.FromCsv(csv, minBidKw: 100);
        var curve = new BidCurve(0, [new(-50, -300), new(40, 0), new(90, 200)]);

        var awards = exchange.Clear(DayAhead, new LocalDate(2026, 11, 25), [curve, curve with { ProductIndex = 1 }, curve with { ProductIndex = 2 }]);

        awards.Should().HaveCount(2, "product 2 has no price in the series");
        awards[0].Should().Be(new ProductAward(0, new Interval(Instant.FromUtc(2026, 11, 24, 23, 0), Instant.FromUtc(2026, 11, 24, 23, 15)), -300, 35.5));
        awards[1].AwardedKw.Should().Be(-300);
        awards[1].ClearingPriceEurPerMwh.Should().Be(-12);
    }

    [Fact]
    public void Refuses_bids_that_break_the_rules_and_malformed_price_series()
    {
        var exchange = new SimulatedExchange(new Dictionary<Instant, double>(), minBidKw: 100);
        ((Action)(() => exchange.Clear(DayAhead, new LocalDate(2026, 11, 25), [new BidCurve(4, [new(10, 200), new(20, 100)])])))
            .Should().Throw<ArgumentException>().WithMessage("*product 4*must not fall*");
        ((Action)(() => SimulatedExchange.FromCsv(new StringReader("2026-11-24T23:00:00Z,NaN"), 100))).Should().Throw<FormatException>().WithMessage("*line 1*");
        ((Action)(() => SimulatedExchange.FromCsv(new StringReader("yesterday,12"), 100))).Should().Throw<FormatException>();
    }
}
