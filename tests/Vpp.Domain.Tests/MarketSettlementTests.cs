using NodaTime;
using Vpp.Domain.Markets;

namespace Vpp.Domain.Tests;

public class MarketSettlementTests
{
    private static readonly Interval Quarter = new(Instant.FromUtc(2026, 11, 25, 17, 0), Instant.FromUtc(2026, 11, 25, 17, 15));

    [Theory]
    [InlineData(double.NaN, 30)]
    [InlineData(90, double.PositiveInfinity)]
    public void Delivered_energy_or_an_imbalance_price_that_is_not_a_number_is_refused(double deliveredKwh, double price)
    {
        var act = () => Settlement.Settle(new ProductAward(68, Quarter, 400, 120), deliveredKwh, price);
        act.Should().Throw<ArgumentException>().WithMessage("Delivered energy and the imbalance price must be numbers.");
    }

    [Fact]
    public void A_sold_quarter_hour_delivered_short_pays_the_award_and_buys_the_missing_energy_at_the_imbalance_price()
    {
        // Sold 400 kW for 15 min = 100 kWh at 120 EUR/MWh = 12.00 EUR; delivered 90 kWh;
        // the missing 10 kWh cost 200 EUR/MWh = 2.00 EUR. Net 10.00 EUR.
        var s = Settlement.Settle(new ProductAward(68, Quarter, 400, 120), deliveredKwh: 90, imbalancePriceEurPerMwh: 200);
        s.AwardedKwh.Should().Be(100);
        s.ImbalanceKwh.Should().Be(-10);
        s.MarketEur.Should().BeApproximately(12, 1e-12);
        s.ImbalanceEur.Should().BeApproximately(-2, 1e-12);
        s.NetEur.Should().BeApproximately(10, 1e-12);
    }

    [Fact]
    public void A_bought_quarter_hour_costs_the_clearing_price_and_extra_charging_is_bought_at_the_imbalance_price()
    {
        // Bought 200 kW = 50 kWh at −10 EUR/MWh (paid to take it: +0.50 EUR); took 55 kWh: 5 kWh more at 30 EUR/MWh = −0.15 EUR.
        var s = Settlement.Settle(new ProductAward(3, Quarter, -200, -10), deliveredKwh: -55, imbalancePriceEurPerMwh: 30);
        s.MarketEur.Should().BeApproximately(0.5, 1e-12);
        s.ImbalanceEur.Should().BeApproximately(-0.15, 1e-12);
    }

    [Fact]
    public void Homes_share_a_product_by_the_energy_they_delivered_in_its_direction()
    {
        var s = Settlement.Settle(new ProductAward(68, Quarter, 400, 120), 90, 200); // net 10 EUR
        var shares = Settlement.SiteShares(s, new Dictionary<string, double> { ["a"] = 60, ["b"] = 30, ["c"] = -5, ["d"] = 0 });
        shares["a"].Should().BeApproximately(10 * 60 / 90.0, 1e-12);
        shares["b"].Should().BeApproximately(10 * 30 / 90.0, 1e-12);
        shares["c"].Should().Be(0, "it charged while the fleet sold");
        shares["d"].Should().Be(0);
        shares.Values.Sum().Should().BeApproximately(s.NetEur, 1e-12);
        Settlement.SiteShares(s, new Dictionary<string, double> { ["a"] = 0 })["a"].Should().Be(0);
    }

    [Fact]
    public void Bid_curves_are_monotone_and_respect_the_minimum_bid()
    {
        var curve = new BidCurve(0, [new(-50, -300), new(40, 0), new(90, 200), new(150, 400)]);
        curve.Problem(minBidKw: 100).Should().BeNull();
        curve.QuantityAt(-100).Should().Be(0, "below the first step nothing trades");
        curve.QuantityAt(0).Should().Be(-300);
        curve.QuantityAt(90).Should().Be(200);
        curve.QuantityAt(1000).Should().Be(400);

        new BidCurve(0, [new(10, 200), new(20, 100)]).Problem(100).Should().Contain("must not fall");
        new BidCurve(0, [new(10, 200), new(10, 300)]).Problem(100).Should().Contain("rise");
        new BidCurve(0, [new(10, 50)]).Problem(100).Should().Contain("minimum bid");
        new BidCurve(0, [new(double.NaN, 500)]).Problem(100).Should().Contain("numbers");
    }

    [Theory]
    [InlineData(-2.5, 150)] // short: the missing energy is bought dearer
    [InlineData(1.0, 50)]   // long: the extra energy is sold cheaper
    public void The_imbalance_price_is_the_clearing_price_worsened_by_the_penalty(double imbalanceKwh, double expected) =>
        Settlement.ImbalancePrice(100, imbalanceKwh, 50).Should().Be(expected);

    [Fact]
    public void Settling_with_a_penalty_charges_a_shortfall_at_clearing_plus_penalty()
    {
        // Sold 10 kW for 15 minutes (2.5 kWh) at 100 EUR/MWh, delivered 2 kWh: 0.5 kWh short at 150 EUR/MWh.
        var award = new ProductAward(0, new Interval(Instant.FromUtc(2026, 11, 24, 12, 0), Instant.FromUtc(2026, 11, 24, 12, 15)), 10, 100);

        var s = Settlement.SettleWithPenalty(award, 2.0, 50);

        s.MarketEur.Should().BeApproximately(0.25, 1e-12);
        s.ImbalanceKwh.Should().BeApproximately(-0.5, 1e-12);
        s.ImbalanceEur.Should().BeApproximately(-0.075, 1e-12);
        s.NetEur.Should().BeApproximately(0.175, 1e-12);
    }
}
