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

    [Fact]
    public void Reserve_capacity_is_won_held_back_and_delivered_as_droop_against_the_frequency_trace()
    {
        var dir = Directory.CreateTempSubdirectory("vpp-backtest-reserve").FullName;
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var prices = SyntheticPrices.Days(new LocalDate(2026, 6, 1), 2, seed: 5);
        var reservePrices = SyntheticPrices.ReserveBlocks(zone, new LocalDate(2026, 6, 1), 3);
        // 50 Hz with a 150 mHz dip for 20 s every 5 minutes, one reading per second.
        var trace = Vpp.Simulators.Kafka.GridSignalProducer.Synthetic(seed: 5).Take(2 * 86_400).ToArray();

        var r = Backtest.Run(new Backtest.Options(prices, Homes: 400, Seed: 5, OutDir: dir)
        {
            ReservePrices = reservePrices, FrequencyHz = trace, Step = Duration.FromSeconds(20),
        });

        r.Violations.Should().Be(0, "no home below its reserve or past its limits, and every droop response given");
        r.Rows.Should().OnlyContain(x => x.DroopShortKwh == 0);
        r.Rows.Should().OnlyContain(x => x.ReserveKw >= 1000, "four fifths of what the 400 homes hold both ways is over 1 MW, so every block is offered and won");
        r.ReserveKwh.Should().BeApproximately(r.Rows.Sum(x => x.ReserveKw * 0.25), 1e-6);
        var expectedEur = r.Rows.Sum(x => x.ReserveKw / 1000 * reservePrices.Single(b => b.Key <= x.Start && x.Start < b.Key + Duration.FromHours(4)).Value * 0.25);
        r.ReserveEur.Should().BeApproximately(expectedEur, 1e-6, "capacity is paid at its block's price for the hours held");
        r.Rows.Where(x => x.MinHz < 49.9).Should().NotBeEmpty().And.OnlyContain(x => x.DroopKw > 0, "under-frequency dips draw power out of the batteries");
        r.Rows.Should().OnlyContain(x => Math.Abs(x.DeliveredKw - x.RestoreKw) <= Math.Abs(x.AwardedKw) + 1e-6,
            "droop is not traded energy; beyond it, homes deliver at most their award, or restore their SoC window instead");
        r.Rows.Should().Contain(x => x.RestoreKw < 0, "the dips drain the batteries, and quiet minutes charge them back into their window");
        File.ReadLines(Path.Combine(dir, "backtest.csv")).First().Should().EndWith("reserveKw,minHz,maxHz,droopKw,droopShortKwh,restoreKw");
        File.ReadAllText(Path.Combine(dir, "backtest.html")).Should().Contain("Frequency reserve").And.Contain("Grid frequency");
    }

    [Fact]
    public void The_reserve_won_and_its_revenue_match_the_homes_physics_worked_out_independently()
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var prices = SyntheticPrices.Days(new LocalDate(2026, 6, 1), 2, seed: 5);
        var reservePrices = SyntheticPrices.ReserveBlocks(zone, new LocalDate(2026, 6, 1), 3);
        var r = Backtest.Run(new Backtest.Options(prices, Homes: 400, Seed: 5, OutDir: Directory.CreateTempSubdirectory("vpp-backtest-oracle").FullName)
        {
            ReservePrices = reservePrices, Step = Duration.FromMinutes(1),
        });

        // The same 400 homes (same seed), each holding c kW both ways for 15 minutes at its starting SoC:
        // c ≤ its inverter each way, c × 0.25 h ≤ energy above its reserve × √η out, and ≤ room below full ÷ √η in.
        var rng = new Random(5);
        var homes = Enumerable.Range(0, 400).Select(i => Vpp.Simulators.Fleet.HomeSpec.Random($"bt-{i:D5}", "Europe/Berlin", rng)).ToList();
        var held = homes.Sum(h =>
        {
            var capacity = h.Battery.Capacity.Kwh;
            var oneWay = Math.Sqrt(h.Battery.RoundTripEfficiency);
            var up = (h.InitialSocPct - h.BackupReservePct) / 100 * capacity * oneWay / 0.25;
            var down = (100 - h.InitialSocPct) / 100 * capacity / oneWay / 0.25;
            return Math.Max(0, Math.Min(Math.Min(h.Battery.MaxCharge.Kw, h.Battery.MaxDischarge.Kw), Math.Min(up, down)));
        });
        // Four fifths is offered in every block, at the 5 EUR/MW/h floor: the synthetic capacity prices (8–14) clear all six.
        var offered = Math.Floor(0.8 * held * 1000) / 1000;
        offered.Should().BeGreaterThan(1000, "precondition: above the 1 MW minimum bid");
        r.Rows.Should().HaveCount(96).And.OnlyContain(x => Math.Abs(x.ReserveKw - offered) < 1e-9);
        var blocks = reservePrices.Where(b => b.Key.InZone(zone).Date == new LocalDate(2026, 6, 2)).ToList();
        blocks.Should().HaveCount(6);
        r.ReserveEur.Should().BeApproximately(blocks.Sum(b => offered / 1000 * 4 * b.Value), 1e-6, "MW × 4 h × the block's price");
        r.ReserveKwh.Should().BeApproximately(offered * 24, 1e-6);
    }

    [Fact]
    public void A_droop_response_the_batteries_cannot_sustain_is_counted_as_a_violation()
    {
        var zone = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var prices = SyntheticPrices.Days(new LocalDate(2026, 6, 1), 2, seed: 5);
        // 49.5 Hz for the whole day: full activation for hours, far beyond the 15 minutes a reserve is sized for.
        var trace = Enumerable.Repeat(49.5, 86_400).ToArray();

        var r = Backtest.Run(new Backtest.Options(prices, Homes: 400, Seed: 5, OutDir: Directory.CreateTempSubdirectory("vpp-backtest-short").FullName)
        {
            ReservePrices = SyntheticPrices.ReserveBlocks(zone, new LocalDate(2026, 6, 1), 3), FrequencyHz = trace, Step = Duration.FromSeconds(60),
        });

        r.ReserveViolations.Should().BeGreaterThan(0);
        r.Violations.Should().BeGreaterThanOrEqualTo(r.ReserveViolations);
        r.Rows.Sum(x => x.DroopShortKwh).Should().BeGreaterThan(0);
    }
}
