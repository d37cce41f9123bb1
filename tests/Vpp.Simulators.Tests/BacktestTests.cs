using NodaTime;
using Vpp.Simulators.Market;

namespace Vpp.Simulators.Tests;

public class BacktestTests
{
    [Fact]
    public void A_backtest_trades_within_every_homes_limits_and_writes_its_csv_and_chart()
    {
        var dir = Directory.CreateTempSubdirectory("vpp-backtest").FullName;
        var prices = SyntheticPrices.Days(new LocalDate(2026, 3, 27), 3, seed: 7); // the 29th has 92 quarter-hours

        var r = Backtest.Run(new Backtest.Options(prices, Homes: 60, Seed: 3, OutDir: dir));

        r.Days.Should().Be(2);
        r.Rows.Should().HaveCount(96 + 92);
        r.Violations.Should().Be(0, "no home below its reserve or beyond its limits");
        r.Rows.Should().OnlyContain(x => Math.Abs(x.DeliveredKw) <= Math.Abs(x.AwardedKw) + 1e-6 && x.DeliveredKw * x.AwardedKw >= 0,
            "homes deliver at most the award, never against it");
        r.Rows.Should().Contain(x => x.AwardedKw > 0).And.Contain(x => x.AwardedKw < 0, "the fleet both sells and buys over a day");
        r.Rows.Sum(x => x.MarketEur).Should().BeApproximately(r.MarketEur, 1e-9);
        File.ReadAllText(Path.Combine(dir, "backtest.csv")).Should().StartWith("start,forecastEurPerMwh,priceEurPerMwh,awardedKw,deliveredKw");
        File.ReadLines(Path.Combine(dir, "backtest.csv")).Count().Should().Be(1 + 96 + 92);
        File.ReadAllText(Path.Combine(dir, "backtest.html")).Should().Contain("<svg").And.Contain("violations: 0");
    }
}
