using NodaTime;
using Vpp.Domain.Markets;

namespace Vpp.Scheduling.Tests;

public class BaselineForecastTests
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly MarketCalendar DayAhead = MarketCalendar.DayAhead(Berlin);
    private static readonly Duration Quarter = Duration.FromMinutes(15);

    /// <summary>Every quarter-hour from <paramref name="from"/> to <paramref name="to"/> (local), its kW from the local time.</summary>
    private static IEnumerable<(Instant, double)> History(LocalDateTime from, LocalDateTime to, Func<LocalDateTime, double> kw)
    {
        for (var t = Berlin.AtLeniently(from).ToInstant(); t < Berlin.AtLeniently(to).ToInstant(); t += Quarter)
            yield return (t, kw(t.InZone(Berlin).LocalDateTime));
    }

    [Fact]
    public void Each_product_takes_the_same_local_time_on_the_latest_day_seen()
    {
        var day = new LocalDate(2026, 12, 10);
        var now = Berlin.AtStrictly(day.PlusDays(-1).At(new LocalTime(11, 0))).ToInstant();
        // Two days ago, all day: 1 kW at night, PV charging at −3 kW from 10:00 to 15:00. Yesterday until now: 2 kW.
        var history = History(day.PlusDays(-2).AtMidnight(), day.PlusDays(-1).AtMidnight(), t => t.Hour is >= 10 and < 15 ? -3 : 1)
            .Concat(History(day.PlusDays(-1).AtMidnight(), day.PlusDays(-1).At(new LocalTime(11, 0)), _ => 2)).ToList();

        var f = BaselineForecast.Of(history, Berlin, DayAhead.Products(day), now, nowKwh: 50, usableKwh: 100, roundTripEfficiency: 0.81);

        f.ProductKw.Should().HaveCount(96);
        f.ProductKw[4 * 9].Should().Be(2, "09:00 was seen yesterday");
        f.ProductKw[4 * 12].Should().Be(-3, "12:00 has not come yet today: the day before, PV charged");
        f.ProductKw[4 * 20].Should().Be(1);
        f.QuartersKnown.Should().Be(96);
        // From 11:00 to midnight the batteries run as two days ago: −3 kW for 4 h (charging, 90 % in), then 1 kW for 9 h (out at 90 %).
        f.InitialKwh.Should().BeApproximately(50 + 3 * 4 * 0.9 - 1 * 9 / 0.9, 1e-9);
    }

    [Fact]
    public void History_reaches_back_seven_days_and_no_further()
    {
        var day = new LocalDate(2026, 12, 10);
        var now = Berlin.AtStrictly(day.PlusDays(-1).At(new LocalTime(11, 0))).ToInstant();
        // Only 7 and 8 days before the delivery day: 08:00–09:00 at 4 kW seven days back, 10:00–11:00 at 5 kW eight days back.
        var history = History(day.PlusDays(-7).At(new LocalTime(8, 0)), day.PlusDays(-7).At(new LocalTime(9, 0)), _ => 4)
            .Concat(History(day.PlusDays(-8).At(new LocalTime(10, 0)), day.PlusDays(-8).At(new LocalTime(11, 0)), _ => 5)).ToList();

        var f = BaselineForecast.Of(history, Berlin, DayAhead.Products(day), now, 50, 100, 0.81, nowKw: 0.5);

        f.ProductKw[4 * 8].Should().Be(4, "seven days back is the last day looked at");
        f.ProductKw[4 * 10].Should().Be(0.5, "eight days back is not: what the batteries do now");
        f.QuartersKnown.Should().Be(4);
    }

    [Fact]
    public void A_product_partly_seen_averages_the_seen_quarters_with_what_the_batteries_do_now()
    {
        // A 4-hour reserve block 08:00–12:00 of which yesterday saw only 08:00–10:00 (3 kW); now the batteries give 1 kW.
        var day = new LocalDate(2026, 12, 10);
        var now = Berlin.AtStrictly(day.PlusDays(-1).At(new LocalTime(10, 0))).ToInstant();
        var history = History(day.PlusDays(-1).At(new LocalTime(8, 0)), day.PlusDays(-1).At(new LocalTime(10, 0)), _ => 3).ToList();

        var f = BaselineForecast.Of(history, Berlin, MarketCalendar.ReserveCapacity(Berlin).Products(day), now, 50, 100, 0.81, nowKw: 1);

        f.ProductKw[2].Should().BeApproximately((8 * 3 + 8 * 1) / 16.0, 1e-12);
        f.QuartersKnown.Should().Be(8);
    }

    [Fact]
    public void The_energy_until_the_day_starts_counts_only_the_rest_of_the_current_quarter_hour()
    {
        // Now is 11:07 the day before; two days ago the batteries gave 1 kW all day. Until midnight: 12 h 53 min at
        // 1 kW, out at 90 %.
        var day = new LocalDate(2026, 12, 10);
        var now = Berlin.AtStrictly(day.PlusDays(-1).At(new LocalTime(11, 7))).ToInstant();
        var history = History(day.PlusDays(-2).AtMidnight(), day.PlusDays(-1).AtMidnight(), _ => 1).ToList();

        var f = BaselineForecast.Of(history, Berlin, DayAhead.Products(day), now, nowKwh: 50, usableKwh: 100, roundTripEfficiency: 0.81);

        f.InitialKwh.Should().BeApproximately(50 - (12 + 53 / 60.0) / 0.9, 1e-9);
    }

    [Fact]
    public void A_day_without_products_starts_now_with_the_energy_held_now()
    {
        var f = BaselineForecast.Of([], Berlin, [], Instant.FromUtc(2026, 12, 9, 10, 0), nowKwh: 120, usableKwh: 100, roundTripEfficiency: 0.81);
        f.ProductKw.Should().BeEmpty();
        f.InitialKwh.Should().Be(100, "held energy is within empty and full");
    }

    [Fact]
    public void Without_history_the_baseline_is_zero_and_the_day_starts_with_the_energy_held_now()
    {
        var day = new LocalDate(2026, 12, 10);
        var f = BaselineForecast.Of([], Berlin, DayAhead.Products(day), Berlin.AtStrictly(day.PlusDays(-1).At(new LocalTime(11, 0))).ToInstant(), 40, 100, 0.9);
        f.ProductKw.Should().OnlyContain(kw => kw == 0);
        f.InitialKwh.Should().Be(40);
        f.QuartersKnown.Should().Be(0);
    }

    [Fact]
    public void The_energy_until_the_day_starts_stays_between_empty_and_full()
    {
        var day = new LocalDate(2026, 12, 10);
        var history = History(day.PlusDays(-2).AtMidnight(), day.PlusDays(-1).AtMidnight(), _ => -50).ToList();
        var f = BaselineForecast.Of(history, Berlin, DayAhead.Products(day), Berlin.AtStrictly(day.PlusDays(-1).At(new LocalTime(11, 0))).ToInstant(), 40, 100, 0.81);
        f.InitialKwh.Should().Be(100);
    }

    [Fact]
    public void A_daylight_saving_day_is_forecast_by_local_time()
    {
        // 29 March 2026 has 92 quarter-hours (02:00–03:00 does not exist); the day before has 96.
        var day = new LocalDate(2026, 3, 29);
        var history = History(day.PlusDays(-1).AtMidnight(), day.AtMidnight(), t => t.Hour).ToList();
        var f = BaselineForecast.Of(history, Berlin, DayAhead.Products(day), Berlin.AtStrictly(day.PlusDays(-1).At(new LocalTime(23, 0))).ToInstant(), 40, 100, 0.81);

        f.ProductKw.Should().HaveCount(92);
        var products = DayAhead.Products(day);
        for (var i = 0; i < products.Count; i++)
            f.ProductKw[i].Should().Be(products[i].Delivery.Start.InZone(Berlin).Hour, "the same local hour the day before");
    }
}
