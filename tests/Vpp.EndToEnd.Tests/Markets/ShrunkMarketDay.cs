using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Vpp.Domain.Markets;

namespace Vpp.EndToEnd.Tests.Markets;

/// <summary>
/// A market day shrunk to fit a test: a gate that closes seconds from now and a few short products
/// soon after it, in a fixed-offset zone where it is about noon (so the test stays in one local day).
/// </summary>
public sealed record ShrunkMarketDay(DateTimeZone Zone, LocalDate Day, LocalTime Gate, LocalTime From, Duration Product, int Products)
{
    public static ShrunkMarketDay StartingSoon(int gateInSeconds, int deliveryInSeconds, int productSeconds, int products)
    {
        var now = SystemClock.Instance.GetCurrentInstant();
        var offset = 12 - now.InUtc().Hour;
        var zone = DateTimeZoneProviders.Tzdb[offset == 0 ? "Etc/GMT" : offset > 0 ? $"Etc/GMT-{offset}" : $"Etc/GMT+{-offset}"];
        var local = now.InZone(zone).LocalDateTime;
        var from = local.PlusSeconds(deliveryInSeconds).TimeOfDay;
        from = new LocalTime(from.Hour, from.Minute, from.Second / productSeconds * productSeconds);
        return new ShrunkMarketDay(zone, local.Date, local.PlusSeconds(gateInSeconds).TimeOfDay, from, Duration.FromSeconds(productSeconds), products);
    }

    private LocalTime To => From.PlusSeconds((long)Product.TotalSeconds * Products);

    public MarketCalendar Calendar(string name) => new(name, Zone, Period.FromSeconds((long)Product.TotalSeconds), Gate, 0, From, To);

    /// <summary>The host's calendar settings for this day under <paramref name="section"/> (e.g. "Vpp:Markets").</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings(string section) =>
        new Dictionary<string, string>
        {
            [$"{section}:ProductMinutes"] = (Product.TotalSeconds / 60).ToString(CultureInfo.InvariantCulture),
            [$"{section}:GateClosure"] = LocalTimePattern.ExtendedIso.Format(Gate),
            [$"{section}:GateClosureDaysBefore"] = "0",
            [$"{section}:DeliveryFrom"] = LocalTimePattern.ExtendedIso.Format(From),
            [$"{section}:DeliveryTo"] = LocalTimePattern.ExtendedIso.Format(To),
        };
}
