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
